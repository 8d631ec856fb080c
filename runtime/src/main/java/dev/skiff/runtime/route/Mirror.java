package dev.skiff.runtime.route;

import io.helidon.webserver.http.ServerRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Shadow traffic: sends a copy of the configured percentage of requests to the mirror version and
 * throws its answer away. The copy is sent asynchronously after the body is in memory, so the
 * caller never waits for it and never sees its errors. Bounded twice: at most {@code maxInFlight}
 * copies exist at once (more are dropped and counted), and only bodies up to {@code maxBodyBytes}
 * are copied; memory held by mirroring is therefore at most {@code maxInFlight * maxBodyBytes}.
 *
 * <p>Which requests are copied is decided by a counter, not at random: exactly {@code percent} of
 * every hundred requests answered by other versions, so the observed share is exact.
 */
final class Mirror {
  private static final Logger LOG = Logger.getLogger(Mirror.class.getName());

  private final HttpClient client;
  private final RouterMetrics metrics;
  private final Duration timeout;
  private final int maxBodyBytes;
  private final Semaphore inFlight;
  private final AtomicLong candidates = new AtomicLong();

  Mirror(
      HttpClient client,
      RouterMetrics metrics,
      Duration timeout,
      int maxInFlight,
      int maxBodyBytes) {
    this.client = client;
    this.metrics = metrics;
    this.timeout = timeout;
    this.maxBodyBytes = maxBodyBytes;
    this.inFlight = new Semaphore(maxInFlight);
  }

  /** A reserved slot for one copy; either {@link #send} or {@link #skip} releases it. */
  record Copy(RouterConfig.Version version) {}

  int maxBodyBytes() {
    return maxBodyBytes;
  }

  /**
   * Whether this request, about to go to {@code primary}, is copied; reserves a slot when it is.
   * Requests answered by the mirror version itself are not copied.
   */
  Optional<Copy> select(RoutingTable table, String primary) {
    Optional<RouterConfig.Mirror> mirror = table.config().mirror();
    if (mirror.isEmpty() || mirror.get().percent() == 0 || mirror.get().version().equals(primary)) {
      return Optional.empty();
    }
    long n = candidates.getAndIncrement();
    int percent = mirror.get().percent();
    if (n * percent / 100 == (n + 1) * percent / 100) {
      return Optional.empty();
    }
    String version = mirror.get().version();
    if (!table.isReady(version)) {
      metrics.mirrored(version, "not_ready");
      return Optional.empty();
    }
    if (!inFlight.tryAcquire()) {
      metrics.mirrored(version, "dropped");
      return Optional.empty();
    }
    return table.config().version(version).map(Copy::new);
  }

  /** Gives the slot back without sending (the body was over the limit). */
  void skip(Copy copy) {
    inFlight.release();
    metrics.mirrored(copy.version().name(), "too_large");
  }

  /** Sends the copy in the background; returns at once. */
  void send(Copy copy, ServerRequest req, String pathAndQuery, byte[] body) {
    String version = copy.version().name();
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(copy.version().url() + pathAndQuery))
              .timeout(timeout)
              .method(
                  req.prologue().method().text(),
                  body.length == 0
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      ForwardedHeaders.toBackend(req, request);
      client
          .sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (response, error) -> {
                inFlight.release();
                metrics.mirrored(version, error == null ? "sent" : "failed");
                if (error != null) {
                  LOG.log(Level.FINE, "mirror copy to '" + version + "' failed", error);
                }
              });
    } catch (RuntimeException e) {
      inFlight.release();
      metrics.mirrored(version, "failed");
      LOG.log(Level.FINE, "mirror copy to '" + version + "' not sent", e);
    }
  }
}
