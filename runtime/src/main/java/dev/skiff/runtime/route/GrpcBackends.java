package dev.skiff.runtime.route;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One plaintext HTTP/2 channel per version's gRPC address, shared by every call to that version
 * (gRPC multiplexes calls on one connection, so there is no pool to size). Channels are made on
 * first use and kept: a channel whose version left the config goes idle after its idle timeout and
 * holds no connection then, so a config change needs no bookkeeping here.
 *
 * <p>Callbacks run on the transport's own threads ({@code directExecutor}): the proxy only passes
 * bytes on and never blocks, so a hand-off to another thread would only add latency.
 */
final class GrpcBackends implements AutoCloseable {
  private final Duration connectTimeout;
  private final int maxMessageBytes;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  GrpcBackends(Duration connectTimeout, int maxMessageBytes) {
    this.connectTimeout = connectTimeout;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** The channel to the version's gRPC service; the version must have a gRPC port. */
  ManagedChannel channel(RouterConfig.Version version) {
    String host = version.url().getHost();
    int port = version.grpcPort().orElseThrow();
    return channels.computeIfAbsent(host + ":" + port, address -> open(host, port));
  }

  private ManagedChannel open(String host, int port) {
    return NettyChannelBuilder.forAddress(host, port)
        .usePlaintext()
        .directExecutor()
        .maxInboundMessageSize(maxMessageBytes)
        .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
        .idleTimeout(5, TimeUnit.MINUTES)
        // The proxy never retries on its own: a retried inference would run twice.
        .disableRetry()
        .build();
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
