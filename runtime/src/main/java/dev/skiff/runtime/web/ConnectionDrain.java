package dev.skiff.runtime.web;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.time.Duration;

/**
 * Moves keep-alive clients off a server that is about to stop. Once {@link #start() started}, every
 * response says {@code Connection: close}, so each client's next request opens a new connection,
 * which the Service sends to another pod; readiness answers 503. Without it, the server's stop
 * closes connections that clients may be sending on at that moment, and those requests fail with no
 * answer (seen on the real node when the router pods went away under load). Shared by serve and
 * route mode.
 */
public final class ConnectionDrain implements Filter {
  private volatile boolean draining;

  /** From now on, every response closes its connection. */
  public void start() {
    draining = true;
  }

  public boolean isDraining() {
    return draining;
  }

  /**
   * Starts draining, waits {@code period} while requests are still served, and returns; the caller
   * then stops the server.
   */
  public void drainFor(Duration period) {
    start();
    if (period.isPositive()) {
      try {
        Thread.sleep(period);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
    if (draining) {
      res.header(HeaderValues.CONNECTION_CLOSE);
    }
    chain.proceed();
  }
}
