package dev.skiff.runtime.web;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves HTTP/1.0 and HTTP/1.1 through Helidon's HTTP/1 connection, and enforces the {@link
 * ConnectionLimits} Helidon 4.5 lacks on the server side (its socket read timeout is a client
 * setting): a client that sends its headers or body too slowly gets 408 and is closed, and when the
 * connections near the limit the longest-idle keep-alive ones are closed first, so a new client is
 * still accepted while thousands of idle sockets are open. A watchdog thread checks every
 * connection four times a second, so the request path itself pays nothing for it.
 */
public final class GuardedHttp1Selector implements ServerConnectionSelector {
  private static final Duration CHECK_PERIOD = Duration.ofMillis(250);

  /** Above this share of the limit, idle connections are closed until the lower share is left. */
  private static final double REAP_ABOVE = 0.9;

  private static final double REAP_TO = 0.5;

  /** A connection that just finished a request is about to get the next one: leave it. */
  private static final Duration REAP_IDLE_AT_LEAST = Duration.ofMillis(500);

  private static final Logger LOG = Logger.getLogger(GuardedHttp1Selector.class.getName());
  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "skiff-connection-watchdog");
            t.setDaemon(true);
            return t;
          });

  private final Http1ConnectionSelector http1;
  private final ConnectionLimits limits;
  private final Set<GuardedConnection> open = ConcurrentHashMap.newKeySet();

  /** Runs as long as the JVM: a selector lives as long as its server, and servers rarely stop. */
  @SuppressWarnings("unused")
  private final ScheduledFuture<?> checks;

  public GuardedHttp1Selector(ConnectionLimits limits) {
    this.limits = limits;
    this.http1 =
        Http1ConnectionSelector.builder()
            .config(
                Http1Config.builder()
                    .addReceiveListener(RequestPhases.RECEIVED)
                    .addSendListener(RequestPhases.SENT)
                    .build())
            .build();
    this.checks =
        WATCHDOG.scheduleAtFixedRate(
            this::checkQuietly,
            CHECK_PERIOD.toMillis(),
            CHECK_PERIOD.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  @Override
  public int bytesToIdentifyConnection() {
    return http1.bytesToIdentifyConnection();
  }

  /**
   * Never asked while this is the listener's only selector (HttpLimits makes it so): Helidon then
   * hands it every connection before the first byte. HTTP/1.0 is recognised in {@link
   * GuardedConnection}, not here.
   */
  @Override
  public Support supports(BufferData request) {
    return http1.supports(request);
  }

  @Override
  public Set<String> supportedApplicationProtocols() {
    return http1.supportedApplicationProtocols();
  }

  @Override
  public ServerConnection connection(ConnectionContext ctx) {
    GuardedConnection connection = new GuardedConnection(ctx).serveWith(http1::connection);
    return new Tracked(connection);
  }

  /** Connections open now (for tests and metrics). */
  public int openConnections() {
    return open.size();
  }

  private void checkQuietly() {
    try {
      check();
    } catch (RuntimeException e) {
      // a failure must not end the periodic checks (a scheduled task that throws never runs again)
      LOG.log(Level.WARNING, "connection check failed", e);
    }
  }

  private void check() {
    long now = System.nanoTime();
    for (GuardedConnection c : open) {
      String overdue = c.overdue(now, limits.headerDeadline(), limits.bodyReadDeadline());
      if (overdue != null) {
        c.timeOut(overdue);
      }
    }
    if (open.size() > limits.maxConnections() * REAP_ABOVE) {
      int excess = open.size() - (int) (limits.maxConnections() * REAP_TO);
      List<GuardedConnection> idlest =
          open.stream()
              .filter(c -> c.idleFor(now, REAP_IDLE_AT_LEAST))
              .sorted(Comparator.comparingLong(GuardedConnection::readStartedNanos))
              .limit(excess)
              .toList();
      idlest.forEach(c -> c.close(false));
    }
  }

  /** Registers the connection for the watchdog while Helidon handles it. */
  private final class Tracked implements ServerConnection {
    private final GuardedConnection connection;

    Tracked(GuardedConnection connection) {
      this.connection = connection;
    }

    @Override
    public void handle(Limit limit) throws InterruptedException {
      open.add(connection);
      try {
        connection.handle(limit);
      } finally {
        open.remove(connection);
      }
    }

    @Override
    public Duration idleTime() {
      return connection.idleTime();
    }

    @Override
    public void close(boolean interrupt) {
      connection.close(interrupt);
    }
  }
}
