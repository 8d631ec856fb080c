package dev.skiff.runtime.web;

import java.time.Duration;

/**
 * How long a client may take, and how many connections it may hold, on one listener.
 *
 * @param maxConnections TCP connections open at once; a new one waits in the kernel's backlog
 * @param idleTimeout a keep-alive connection with no request for this long is closed
 * @param headerDeadline from the request line to the end of its headers (nginx's {@code
 *     client_header_timeout}); a client slower than this gets 408
 * @param bodyReadDeadline the longest one read of a request body may wait for bytes (nginx's {@code
 *     client_body_timeout}); a body that stalls for longer gets 408
 */
public record ConnectionLimits(
    int maxConnections, Duration idleTimeout, Duration headerDeadline, Duration bodyReadDeadline) {

  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_HEADER_DEADLINE = Duration.ofSeconds(10);
  public static final Duration DEFAULT_BODY_READ_DEADLINE = Duration.ofSeconds(30);

  public ConnectionLimits {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1");
    }
    for (Duration d : new Duration[] {idleTimeout, headerDeadline, bodyReadDeadline}) {
      if (!d.isPositive()) {
        throw new IllegalArgumentException("connection timeouts must be positive: " + d);
      }
    }
  }

  /** The defaults with another connection limit. */
  public static ConnectionLimits withMaxConnections(int maxConnections) {
    return new ConnectionLimits(
        maxConnections, DEFAULT_IDLE_TIMEOUT, DEFAULT_HEADER_DEADLINE, DEFAULT_BODY_READ_DEADLINE);
  }
}
