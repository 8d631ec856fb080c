package dev.skiff.runtime.web;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import java.time.Duration;

/** Socket settings shared by the serve and route modes, chosen rather than left to defaults. */
public final class HttpLimits {
  /** Bytes buffered per connection before a write reaches the socket. */
  public static final int WRITE_BUFFER_BYTES = 64 * 1024;

  /** Connections the kernel queues before the server accepts them (bursts of new clients). */
  public static final int BACKLOG = 1024;

  private HttpLimits() {}

  /**
   * A web server builder with these limits, the given address and body/connection limits, and the
   * JSON error answers for requests rejected before routing; the caller adds the routing.
   */
  public static WebServerConfig.Builder server(
      String host, int port, long maxPayloadBytes, int maxConnections) {
    return WebServer.builder()
        .host(host)
        .port(port)
        .maxPayloadSize(maxPayloadBytes)
        .maxTcpConnections(maxConnections)
        .idleConnectionTimeout(Duration.ofSeconds(60))
        // A small write buffer once cost Helidon 6x on responses over 7 KB; tensors are bigger.
        .writeBufferSize(WRITE_BUFFER_BYTES)
        .backlog(BACKLOG)
        .shutdownGracePeriod(Duration.ofSeconds(10))
        // The mode's own shutdown hook stops the server, after draining (ConnectionDrain).
        // Helidon's hook would stop it at SIGTERM+0, refusing every request of the drain.
        .shutdownHook(false)
        .directHandlers(ErrorMapping.directHandlers());
  }
}
