package dev.skiff.runtime.route;

import dev.skiff.runtime.protocol.ApiException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Forwards one request to a version: the one named in {@code X-Model-Version}, else the next by
 * weight among the ready ones. The request body and the response are streamed. A call that fails
 * before the backend can have acted on it (no connection; or, for GET/HEAD/OPTIONS, no answer at
 * all) is sent once more, to another ready version when there is one, so a backend that dies
 * between two health checks costs latency, not errors.
 */
final class ProxyHandler implements Handler {
  private static final Logger LOG = Logger.getLogger(ProxyHandler.class.getName());
  private static final Set<Method> IDEMPOTENT = Set.of(Method.GET, Method.HEAD, Method.OPTIONS);

  private final Router router;
  private final HttpClient client;
  private final Mirror mirror;
  private final RouterMetrics metrics;
  private final Duration responseTimeout;

  ProxyHandler(
      Router router,
      HttpClient client,
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
    Optional<String> pinned =
        req.headers().first(HeaderNames.create(ForwardedHeaders.MODEL_VERSION));
    String version;
    try {
      version = pinned.isPresent() ? checkPinned(table, pinned.get().strip()) : choose(table);
    } catch (ApiException e) {
      metrics.requestFinished(RouterMetrics.NO_VERSION, e.status(), seconds(start));
      throw e;
    }
    String pathAndQuery = pathAndQuery(req);
    Optional<Mirror.Copy> copy = mirror.select(table, version);
    RequestBody body = RequestBody.of(req, copy.isPresent() ? mirror.maxBodyBytes() : -1);
    copy.ifPresent(
        c ->
            body.bytes()
                .ifPresentOrElse(
                    bytes -> mirror.send(c, req, pathAndQuery, bytes), () -> mirror.skip(c)));

    Answer answer;
    try {
      answer = send(table, version, req, pathAndQuery, body);
    } catch (BackendFailedException e) {
      metrics.requestFinished(e.version(), e.status(), seconds(start));
      throw e;
    }
    relay(answer, res, start);
  }

  /** A backend's response (body not yet read) and the version that gave it. */
  private record Answer(String version, HttpResponse<InputStream> response) {}

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
      RoutingTable table,
      String version,
      ServerRequest req,
      String pathAndQuery,
      RequestBody body) {
    try {
      return new Answer(version, sendOnce(table, version, req, pathAndQuery, body));
    } catch (IOException e) {
      String kind = kind(e);
      metrics.backendError(version, kind);
      boolean repeatable =
          body.replayable()
              && (kind.equals("connect")
                  || (kind.equals("io") && IDEMPOTENT.contains(req.prologue().method())));
      if (!repeatable) {
        throw failure(version, kind, e);
      }
      boolean pinned = req.headers().contains(HeaderNames.create(ForwardedHeaders.MODEL_VERSION));
      String retry = pinned ? version : table.chooseExcluding(version).orElse(version);
      metrics.retried(version);
      LOG.fine(() -> "retrying on '" + retry + "' after " + kind + " error from '" + version + "'");
      try {
        return new Answer(retry, sendOnce(table, retry, req, pathAndQuery, body));
      } catch (IOException again) {
        String againKind = kind(again);
        metrics.backendError(retry, againKind);
        throw failure(retry, againKind, again);
      }
    }
  }

  private HttpResponse<InputStream> sendOnce(
      RoutingTable table, String version, ServerRequest req, String pathAndQuery, RequestBody body)
      throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target(table, version, pathAndQuery))
            .timeout(responseTimeout)
            .method(req.prologue().method().text(), body.publisher());
    ForwardedHeaders.toBackend(req, request);
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendFailedException(502, version, "interrupted while calling '" + version + "'");
    }
  }

  /** Passes the backend's status, headers and body on, naming the version that answered. */
  private void relay(Answer answer, ServerResponse res, long start) {
    HttpResponse<InputStream> response = answer.response();
    String version = answer.version();
    int status = response.statusCode();
    res.status(Status.create(status));
    ForwardedHeaders.toClient(response.headers(), res);
    res.header(ForwardedHeaders.MODEL_VERSION, version);
    long length = response.headers().firstValueAsLong("content-length").orElse(-1);
    try (InputStream in = response.body()) {
      if (length == 0 || status == 204 || status == 304) {
        res.send();
      } else {
        try (OutputStream out = res.outputStream()) {
          in.transferTo(out);
        }
      }
    } catch (IOException e) {
      metrics.backendError(version, "stream");
      metrics.requestFinished(version, status, seconds(start));
      LOG.log(Level.FINE, "response from '" + version + "' broke off", e);
      throw new UncheckedIOException(e);
    }
    metrics.requestFinished(version, status, seconds(start));
  }

  private static URI target(RoutingTable table, String version, String pathAndQuery) {
    return URI.create(table.config().version(version).orElseThrow().url() + pathAndQuery);
  }

  private static String pathAndQuery(ServerRequest req) {
    String path = req.path().rawPath();
    String query = req.query().rawValue();
    return query == null || query.isEmpty() ? path : path + "?" + query;
  }

  private static String kind(IOException e) {
    if (e instanceof HttpConnectTimeoutException
        || e instanceof ConnectException
        || e.getCause() instanceof ConnectException) {
      return "connect";
    }
    if (e instanceof HttpTimeoutException) {
      return "timeout";
    }
    return "io";
  }

  private static BackendFailedException failure(String version, String kind, IOException e) {
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
