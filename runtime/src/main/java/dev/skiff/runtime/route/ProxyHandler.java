package dev.skiff.runtime.route;

import dev.skiff.runtime.image.Answer;
import dev.skiff.runtime.web.ApiException;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Forwards one request to a version: the one named in {@code X-Model-Version}, else the next by
 * weight among the ready ones, with one blocking call on the handler's virtual thread. Large or
 * chunked request and response bodies are streamed; small ones (a declared length of at most
 * {@value RequestBody#SMALL_BODY_BYTES} bytes) are passed on whole. A call that fails before the
 * backend can have acted on it (no connection; or, for GET/HEAD/OPTIONS, no answer at all) is sent
 * once more, to another ready version when there is one, so a backend that dies between two health
 * checks costs latency, not errors.
 */
final class ProxyHandler implements Handler {
  private static final Logger LOG = Logger.getLogger(ProxyHandler.class.getName());
  private static final Set<Method> IDEMPOTENT = Set.of(Method.GET, Method.HEAD, Method.OPTIONS);
  private static final HeaderName MODEL_VERSION =
      HeaderNames.create(ForwardedHeaders.MODEL_VERSION);

  private final Router router;
  private final Http1Client client;
  private final Mirror mirror;
  private final RouterMetrics metrics;
  private final Duration responseTimeout;

  ProxyHandler(
      Router router,
      Http1Client client,
      Mirror mirror,
      RouterMetrics metrics,
      Duration responseTimeout) {
    this.router = router;
    this.client = client;
    this.mirror = mirror;
    this.metrics = metrics;
    this.responseTimeout = responseTimeout;
  }

  @Override
  public void handle(ServerRequest req, ServerResponse res) {
    long start = System.nanoTime();
    RoutingTable table = router.table();
    Optional<String> pinned = req.headers().first(MODEL_VERSION);
    String target;
    String version;
    try {
      target = BackendTarget.originForm(req.prologue());
      version = pinned.isPresent() ? checkPinned(table, pinned.get().strip()) : choose(table);
    } catch (ApiException e) {
      metrics.requestFinished(RouterMetrics.NO_VERSION, e.status(), seconds(start));
      throw e;
    }
    // Feedback claims the prediction it names; a copy would count it twice or take it first.
    Optional<Mirror.Copy> copy = isFeedback(req) ? Optional.empty() : mirror.select(table, version);
    RequestBody body = RequestBody.of(req, copy.isPresent() ? mirror.maxBodyBytes() : -1);
    copy.ifPresent(
        c ->
            body.bytes()
                .ifPresentOrElse(
                    bytes -> mirror.send(c, req, target, bytes), () -> mirror.skip(c)));

    Answer answer;
    try {
      answer = send(table, version, req, target, body);
    } catch (BackendFailedException e) {
      metrics.requestFinished(e.version(), e.status(), seconds(start));
      throw e;
    }
    relay(answer, req, res, start);
  }

  private static boolean isFeedback(ServerRequest req) {
    return Method.POST.equals(req.prologue().method()) && req.path().path().endsWith("/feedback");
  }

  /** A backend's response (body not yet read) and the version that gave it. */
  private record Answer(String version, Http1ClientResponse response) {}

  private static String checkPinned(RoutingTable table, String name) {
    if (table.config().version(name).isEmpty()) {
      throw ApiException.badRequest(
          "unknown model version '"
              + name
              + "' in "
              + ForwardedHeaders.MODEL_VERSION
              + "; known versions: "
              + table.config().versions().stream().map(RouterConfig.Version::name).toList());
    }
    if (!table.isReady(name)) {
      throw ApiException.overloaded("model version '" + name + "' is not ready", 1);
    }
    return name;
  }

  private static String choose(RoutingTable table) {
    return table
        .choose()
        .orElseThrow(
            () ->
                ApiException.overloaded(
                    table.anyReady()
                        ? "no ready model version has a weight above 0"
                        : "no model version is ready",
                    1));
  }

  /** Sends to {@code version}, and once more after a failure that is safe to repeat. */
  private Answer send(
      RoutingTable table, String version, ServerRequest req, String target, RequestBody body) {
    try {
      return new Answer(version, sendOnce(table, version, req, target, body));
    } catch (RuntimeException e) {
      String kind = kind(e);
      metrics.backendError(version, kind);
      boolean repeatable =
          body.replayable()
              && (kind.equals("connect")
                  || (kind.equals("io") && IDEMPOTENT.contains(req.prologue().method())));
      if (!repeatable) {
        throw failure(version, kind, e);
      }
      boolean pinned = req.headers().contains(MODEL_VERSION);
      String retry = pinned ? version : table.chooseExcluding(version).orElse(version);
      metrics.retried(version);
      LOG.fine(() -> "retrying on '" + retry + "' after " + kind + " error from '" + version + "'");
      try {
        return new Answer(retry, sendOnce(table, retry, req, target, body));
      } catch (RuntimeException again) {
        String againKind = kind(again);
        metrics.backendError(retry, againKind);
        throw failure(retry, againKind, again);
      }
    }
  }

  /**
   * One blocking call on this (virtual) thread; returns once the backend's status line and headers
   * are in. The client's read timeout bounds every wait for the backend, the response's first byte
   * included, so a backend that does not answer in {@code responseTimeout} fails with a timeout.
   */
  private Http1ClientResponse sendOnce(
      RoutingTable table, String version, ServerRequest req, String target, RequestBody body) {
    Http1ClientRequest request =
        client
            .method(req.prologue().method())
            .uri(BackendTarget.uri(table.config().version(version).orElseThrow().url(), target))
            .skipUriEncoding(true)
            .followRedirects(false)
            .readTimeout(responseTimeout)
            .headers(headers -> ForwardedHeaders.toBackend(req, headers));
    return body.sendWith(request);
  }

  /** Passes the backend's status, headers and body on, naming the version that answered. */
  private void relay(Answer answer, ServerRequest req, ServerResponse res, long start) {
    String version = answer.version();
    int status = 502;
    try (Http1ClientResponse response = answer.response()) {
      status = response.status().code();
      res.status(response.status());
      ForwardedHeaders.toClient(response.headers(), res);
      res.header(ForwardedHeaders.MODEL_VERSION, version);
      if (!hasBody(req.prologue().method(), response)) {
        res.send();
      } else {
        long length = response.headers().contentLength().orElse(-1);
        try (InputStream in = response.inputStream()) {
          if (length >= 0 && length <= RequestBody.SMALL_BODY_BYTES) {
            res.send(readWhole(in, (int) length));
          } else {
            try (OutputStream out = res.outputStream()) {
              in.transferTo(out);
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      metrics.backendError(version, "stream");
      metrics.requestFinished(version, status, seconds(start));
      LOG.log(Level.FINE, "response from '" + version + "' broke off", e);
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
    metrics.requestFinished(version, status, seconds(start));
  }

  /**
   * A small response body, read whole so it goes out in one write, without the output stream's
   * per-response buffer.
   */
  private static byte[] readWhole(InputStream in, int length) throws IOException {
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      throw new IOException(
          "response body ended after " + body.length + " of " + length + " bytes");
    }
    return body;
  }

  /** Whether a backend's response to a {@code method} request carries a body to pass on. */
  static boolean hasBody(Method method, Http1ClientResponse response) {
    int status = response.status().code();
    return !method.equals(Method.HEAD)
        && status != 204
        && status != 304
        && response.headers().contentLength().orElse(-1) != 0;
  }

  /**
   * What went wrong in a call, from the client's exception: {@code connect} (no connection, so the
   * backend saw nothing), {@code timeout} (no answer within the response timeout), else {@code io}
   * (the connection broke, e.g. the backend closed it without an answer).
   */
  private static String kind(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof NoRouteToHostException
          || t instanceof UnknownHostException
          || (t instanceof IOException && duringConnect(t))) {
        return "connect";
      }
      if (t instanceof SocketTimeoutException) {
        return "timeout";
      }
    }
    return "io";
  }

  /**
   * Whether the client threw while opening the connection. The client reports every failure as an
   * {@link UncheckedIOException}; a port that is closing answers a connect with a reset (a plain
   * {@code SocketException}) as well as a refusal, and a connect timeout is a {@link
   * SocketTimeoutException} like a read timeout, so where it was thrown is what tells them apart.
   */
  private static boolean duringConnect(Throwable t) {
    for (StackTraceElement frame : t.getStackTrace()) {
      if (frame.getMethodName().equals("connect")
          && (frame.getClassName().equals("java.net.Socket")
              || frame.getClassName().equals("sun.nio.ch.NioSocketImpl"))) {
        return true;
      }
    }
    return false;
  }

  private static BackendFailedException failure(String version, String kind, Exception e) {
    LOG.log(Level.FINE, "call to '" + version + "' failed", e);
    return switch (kind) {
      case "timeout" ->
          new BackendFailedException(
              504, version, "model version '" + version + "' did not answer in time");
      case "connect" ->
          new BackendFailedException(
              502, version, "cannot connect to model version '" + version + "'");
      default ->
          new BackendFailedException(
              502,
              version,
              "model version '" + version + "' closed the connection without an answer");
    };
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
