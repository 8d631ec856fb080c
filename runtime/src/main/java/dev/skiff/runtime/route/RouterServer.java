package dev.skiff.runtime.route;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.api.contract.RuntimeHttp;
import dev.skiff.runtime.web.ConnectionDrain;
import dev.skiff.runtime.web.ErrorMapping;
import dev.skiff.runtime.web.HttpLimits;
import dev.skiff.runtime.web.RequestIds;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.helidon.common.media.type.ParserMode;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.http.encoding.ContentEncodingContext;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The runtime in {@code route} mode: one stable address in front of several model versions. It
 * reads the config file (and keeps re-reading it), health-checks every version, and proxies every
 * path except its own {@code /health/*} and {@code /metrics} to a version chosen by weight.
 *
 * <p>Requests (and mirror copies) go to the backends through Helidon's own HTTP/1.1 client: one
 * client, so one keep-alive connection pool per backend shared by all requests, and blocking calls
 * made on the handler's own virtual thread, which costs no thread hop and no selector wake-up per
 * request (the JDK {@link HttpClient}'s selector thread and future chains held the router to a
 * fraction of a direct call's throughput). It is set up as a plain reverse proxy needs: no
 * redirects followed, no retries of its own, no {@code Expect: 100-continue}, no content decoding,
 * no cookies, no system proxy, no discovered client services. The health checker keeps the JDK
 * client: its few calls a second are not on any request's path.
 */
public final class RouterServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RouterServer.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RouterOptions options;
  private final Router router;
  private final ExecutorService clientExecutor;
  private final HttpClient client;
  private final Http1Client backends;
  private final ConfigWatcher watcher;
  private final HealthChecker health;
  private final WebServer server;
  private final GrpcBackends grpcBackends;
  private final Server grpc; // null when the router serves no gRPC
  private final ConnectionDrain drain = new ConnectionDrain();

  private RouterServer(RouterOptions options) {
    this.options = options;
    RouterMetrics metrics = new RouterMetrics();
    Router router = new Router(metrics);
    this.router = router;
    this.watcher =
        new ConfigWatcher(
            options.configFile(),
            options.configPollInterval(),
            config -> {
              router.configure(config);
              metrics.configReloaded(true);
            },
            () -> metrics.configReloaded(false));
    this.clientExecutor = Executors.newVirtualThreadPerTaskExecutor();
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(options.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(clientExecutor)
            .build();
    this.backends = backendClient(options);
    this.health =
        new HealthChecker(
            client,
            router::config,
            router::rebuild,
            options.healthInterval(),
            options.healthTimeout());
    router.health(health);
    Mirror mirror =
        new Mirror(
            backends,
            metrics,
            options.responseTimeout(),
            options.mirrorMaxInFlight(),
            options.mirrorMaxBodyBytes());
    ProxyHandler proxy =
        new ProxyHandler(router, backends, mirror, metrics, options.responseTimeout());
    int maxMessageBytes = (int) Math.min(Integer.MAX_VALUE, options.maxPayloadBytes());
    this.grpcBackends = new GrpcBackends(options.connectTimeout(), maxMessageBytes);
    this.grpc =
        options.grpcPort() < 0
            ? null
            : NettyServerBuilder.forAddress(
                    new InetSocketAddress(options.host(), options.grpcPort()))
                .directExecutor()
                .maxInboundMessageSize(maxMessageBytes)
                .addService(new RouterGrpcHealth(router, drain::isDraining))
                .fallbackHandlerRegistry(
                    new GrpcProxy(router, grpcBackends, mirror, metrics, options.responseTimeout())
                        .registry())
                .build();
    this.server =
        HttpLimits.server(
                options.host(), options.port(), options.maxPayloadBytes(), options.maxConnections())
            .routing(r -> routing(r, router, metrics, proxy))
            .build();
    health.checkAll();
  }

  /**
   * The client that carries requests to the backends. The read timeout bounds each wait for a
   * backend (the response's first byte included); idle connections kept per backend are capped at
   * the router's own connection limit, as each client connection needs at most one at a time.
   */
  private static Http1Client backendClient(RouterOptions options) {
    return Http1Client.builder()
        .connectTimeout(options.connectTimeout())
        .readTimeout(options.responseTimeout())
        .socketOptions(
            socket ->
                socket
                    .connectTimeout(options.connectTimeout())
                    .readTimeout(options.responseTimeout())
                    .tcpNoDelay(true))
        .keepAlive(true)
        .shareConnectionCache(false)
        .connectionCacheSize(options.maxConnections())
        .followRedirects(false)
        .proxy(Proxy.noProxy())
        .sendExpectContinue(false)
        .servicesDiscoverServices(false)
        .contentEncoding(
            ContentEncodingContext.create(c -> c.contentEncodingsDiscoverServices(false)))
        .mediaTypeParserMode(ParserMode.RELAXED)
        // The headers were checked when the router's server parsed them; checking each again on
        // the way out was the client's largest cost per request.
        .protocolConfig(protocol -> protocol.validateRequestHeaders(false))
        .build();
  }

  /**
   * Reads the config, checks every version once, and starts serving.
   *
   * @throws InvalidRouterConfigException when the config file is missing or invalid
   */
  public static RouterServer start(RouterOptions options) {
    RouterServer router = new RouterServer(options);
    router.server.start();
    if (router.grpc != null) {
      try {
        router.grpc.start();
      } catch (IOException e) {
        router.server.stop();
        throw new UncheckedIOException("cannot open the gRPC port " + options.grpcPort(), e);
      }
    }
    router.watcher.start();
    router.health.start();
    LOG.info(
        "routing "
            + ConfigWatcher.describe(router.router.config())
            + " on http://"
            + options.host()
            + ":"
            + router.server.port());
    return router;
  }

  private void routing(
      HttpRouting.Builder routing, Router router, RouterMetrics metrics, ProxyHandler proxy) {
    routing.addFilter(drain);
    routing.addFilter(new RequestIds());
    routing
        .register(new RouterHealthService(router, watcher::lastError, drain::isDraining))
        .get(
            RuntimeHttp.METRICS,
            (req, res) -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
              metrics.write(out);
              res.header(HeaderNames.CONTENT_TYPE, RouterMetrics.contentType());
              res.send(out.toByteArray());
            })
        .any(proxy);
    routing.error(
        BackendFailedException.class,
        (req, res, e) -> {
          res.status(Status.create(e.status()));
          res.header(ForwardedHeaders.MODEL_VERSION, e.version());
          res.header(HeaderValues.CONTENT_TYPE_JSON);
          res.send(JSON.createObjectNode().put("error", e.getMessage()).toString());
        });
    ErrorMapping.register(routing);
  }

  public int port() {
    return server.port();
  }

  /** The gRPC proxy's port, empty when the router serves no gRPC. */
  public OptionalInt grpcPort() {
    return grpc == null ? OptionalInt.empty() : OptionalInt.of(grpc.getPort());
  }

  /**
   * Stops gracefully: for {@code shutdownDelay} it keeps serving, answers not-ready (so the router
   * leaves the Service's endpoints) and closes each connection after its response (so clients
   * reconnect elsewhere, see {@link ConnectionDrain}); then it stops accepting and lets requests in
   * flight finish.
   */
  @Override
  public void close() {
    drain.drainFor(options.shutdownDelay());
    if (grpc != null) {
      // New calls are refused from here on; calls in flight get the HTTP side's stop time.
      grpc.shutdown();
    }
    server.stop();
    if (grpc != null) {
      try {
        if (!grpc.awaitTermination(options.responseTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
          grpc.shutdownNow();
        }
      } catch (InterruptedException e) {
        grpc.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    grpcBackends.close();
    watcher.close();
    health.close();
    backends.closeResource();
    client.shutdownNow();
    clientExecutor.shutdownNow();
  }
}
