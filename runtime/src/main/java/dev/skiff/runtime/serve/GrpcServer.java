package dev.skiff.runtime.serve;

import dev.skiff.runtime.grpc.v2.GRPCInferenceServiceGrpc;
import dev.skiff.runtime.inference.InferenceService;
import dev.skiff.runtime.inference.VersionLookup;
import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.model.ModelRepositoryControl;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The V2 gRPC server on its own port: grpc-java on Netty with the inference service and the
 * standard health service ({@code grpc.health.v1.Health}), calls run on virtual threads (a model
 * call blocks its thread, as over HTTP), messages bounded by the REST payload limit.
 */
final class GrpcServer implements AutoCloseable {
  private final Server server;
  private final HealthStatusManager health;
  private final ExecutorService calls;

  private GrpcServer(Server server, HealthStatusManager health, ExecutorService calls) {
    this.server = server;
    this.health = health;
    this.calls = calls;
  }

  /**
   * Binds and starts; health answers NOT_SERVING until {@link #ready}.
   *
   * @param auth the server's tokens, or null when auth is off
   * @throws UncheckedIOException when the port cannot be bound
   */
  static GrpcServer start(
      ServeOptions options,
      VersionLookup versions,
      InferenceService inference,
      RuntimeMetrics metrics,
      BearerTokenAuth auth,
      String serverVersion,
      ModelRepositoryControl control) {
    HealthStatusManager health = new HealthStatusManager();
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
    health.setStatus(GRPCInferenceServiceGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
    ExecutorService calls =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("skiff-grpc-", 0).factory());
    GrpcCallGuard guard = new GrpcCallGuard(auth, metrics);
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress(options.host(), options.grpcPort()))
            .executor(calls)
            .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, options.maxPayloadBytes()))
            .addService(
                ServerInterceptors.intercept(
                    new GrpcInferenceService(versions, inference, metrics, serverVersion, control),
                    guard))
            .addService(ServerInterceptors.intercept(health.getHealthService(), guard))
            .build();
    try {
      server.start();
    } catch (IOException e) {
      calls.close();
      throw new UncheckedIOException(
          "cannot serve gRPC on " + options.host() + ":" + options.grpcPort(), e);
    }
    return new GrpcServer(server, health, calls);
  }

  int port() {
    return server.getPort();
  }

  /** Health turns SERVING (all models ready) or stays NOT_SERVING. */
  void ready(boolean ready) {
    ServingStatus status = ready ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    health.setStatus(GRPCInferenceServiceGrpc.SERVICE_NAME, status);
  }

  /** Health answers NOT_SERVING from now on: the server is draining before it stops. */
  void draining() {
    health.enterTerminalState();
  }

  /** Refuses new calls; calls in flight go on until {@link #awaitStopped}. */
  void stopAccepting() {
    server.shutdown();
  }

  /** Waits up to {@code grace} for calls in flight, then cancels what is left. */
  void awaitStopped(Duration grace) {
    try {
      if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    calls.close();
  }

  @Override
  public void close() {
    draining();
    stopAccepting();
    awaitStopped(Duration.ZERO);
  }
}
