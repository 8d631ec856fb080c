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

  /** How often idle connections are looked for, at most: they close within this of the timeout. */
  public static final Duration IDLE_CHECK_PERIOD = Duration.ofSeconds(5);

  private HttpLimits() {}

  /**
   * A web server builder with these limits, the given address and body/connection limits, and the
   * JSON error answers for requests rejected before routing; the caller adds the routing.
   */
  public static WebServerConfig.Builder server(
      String host, int port, long maxPayloadBytes, int maxConnections) {
    return server(host, port, maxPayloadBytes, ConnectionLimits.withMaxConnections(maxConnections));
  }

  /** As {@link #server(String, int, long, int)}, with every connection limit given. */
  public static WebServerConfig.Builder server(
      String host, int port, long maxPayloadBytes, ConnectionLimits connections) {
    return WebServer.builder()
        .host(host)
        .port(port)
        .maxPayloadSize(maxPayloadBytes)
        .maxTcpConnections(connections.maxConnections())
        // The only protocol, instead of the HTTP/1 one Helidon discovers: it serves HTTP/1.0 too,
        // enforces read deadlines, and, being alone, gets each connection before its first byte,
        // so a client that connects and sends nothing is subject to the idle timeout as well
        // (Helidon waits for a first byte to choose between protocols, outside every timeout)
        .protocolsDiscoverServices(false)
        .addConnectionSelector(new GuardedHttp1Selector(connections))
        .idleConnectionTimeout(connections.idleTimeout())
        // Helidon checks every 2 min by default, which closed "60 s" idle connections at ~119 s
        .idleConnectionPeriod(idleCheckPeriod(connections.idleTimeout()))
        // A small write buffer once cost Helidon 6x on responses over 7 KB; tensors are bigger.
        .writeBufferSize(WRITE_BUFFER_BYTES)
        .backlog(BACKLOG)
        .shutdownGracePeriod(Duration.ofSeconds(10))
        // The mode's own shutdown hook stops the server, after draining (ConnectionDrain).
        // Helidon's hook would stop it at SIGTERM+0, refusing every request of the drain.
        .shutdownHook(false)
        .directHandlers(ErrorMapping.directHandlers());
  }

  /** A quarter of short idle timeouts, so they are kept to within 25 %. */
  static Duration idleCheckPeriod(Duration idleTimeout) {
    Duration quarter = idleTimeout.dividedBy(4);
    return quarter.compareTo(IDLE_CHECK_PERIOD) < 0 ? quarter : IDLE_CHECK_PERIOD;
  }
}
