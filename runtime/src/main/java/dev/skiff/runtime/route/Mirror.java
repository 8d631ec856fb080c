package dev.skiff.runtime.route;

import dev.skiff.runtime.web.RequestIds;
import io.helidon.http.Method;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.http.ServerRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Shadow traffic: sends a copy of the configured percentage of requests to the mirror version and
 * throws its answer away. The copy is sent on a virtual thread of its own after the body is in
 * memory, so the caller never waits for it and never sees its errors. Bounded twice: at most {@code
 * maxInFlight} copies exist at once (more are dropped and counted), and only bodies up to {@code
 * maxBodyBytes} are copied; memory held by mirroring is therefore at most {@code maxInFlight *
 * maxBodyBytes}.
 *
 * <p>Which requests are copied is decided by a counter, not at random: exactly {@code percent} of
 * every hundred requests answered by other versions, so the observed share is exact.
 */
final class Mirror {
  private static final Logger LOG = Logger.getLogger(Mirror.class.getName());

  /** Appended to the request id of a copy. */
  static final String MIRROR_ID_SUFFIX = ".mirror";

  private final Http1Client client;
  private final RouterMetrics metrics;
  private final Duration timeout;
  private final int maxBodyBytes;
  private final Semaphore inFlight;
  private final AtomicLong candidates = new AtomicLong();

  Mirror(
      Http1Client client,
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
    finished(copy, "too_large");
  }

  /** Gives the slot back once the copy's answer is in, or it was not sent, counting the result. */
  void finished(Copy copy, String result) {
    inFlight.release();
    metrics.mirrored(copy.version().name(), result);
  }

  /** Sends the copy in the background; returns at once. */
  void send(Copy copy, ServerRequest req, String target, byte[] body) {
    String version = copy.version().name();
    try {
      Method method = req.prologue().method();
      Http1ClientRequest request =
          client
              .method(method)
              .uri(BackendTarget.uri(copy.version().url(), target))
              .skipUriEncoding(true)
              .followRedirects(false)
              .readTimeout(timeout)
              .headers(
                  headers -> {
                    ForwardedHeaders.toBackend(req, headers);
                    // The mirror remembers its prediction under an id of its own, so feedback
                    // on the client's id reaches the version that answered the client.
                    headers.set(RequestIds.HEADER, RequestIds.of(req) + MIRROR_ID_SUFFIX);
                  });
      Thread.ofVirtual().name("skiff-mirror").start(() -> sendNow(version, method, request, body));
    } catch (RuntimeException e) {
      inFlight.release();
      metrics.mirrored(version, "failed");
      LOG.log(Level.FINE, "mirror copy to '" + version + "' not sent", e);
    }
  }

  /** Sends and reads the answer to its end, so the connection goes back to the pool. */
  private void sendNow(String version, Method method, Http1ClientRequest request, byte[] body) {
    String result = "sent";
    try (Http1ClientResponse response = request.submit(body)) {
      if (ProxyHandler.hasBody(method, response)) {
        try (InputStream in = response.inputStream()) {
          in.transferTo(OutputStream.nullOutputStream());
        }
      }
    } catch (Exception e) {
      result = "failed";
      LOG.log(Level.FINE, "mirror copy to '" + version + "' failed", e);
    } finally {
      inFlight.release();
      metrics.mirrored(version, result);
    }
  }
}
