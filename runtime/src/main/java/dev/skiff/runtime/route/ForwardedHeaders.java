package dev.skiff.runtime.route;

import dev.skiff.runtime.http.RequestIds;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers cross the proxy, in each direction. Hop-by-hop headers (RFC 9110 §7.6.1, plus any
 * named in {@code Connection}) describe one connection and stay behind; {@code Host} and {@code
 * Content-Length} are set by the backend client itself; {@code X-Request-Id} is the router's own
 * (so client, router and backend log the same id); everything else, {@code Authorization} included,
 * passes unchanged.
 */
final class ForwardedHeaders {
  static final String MODEL_VERSION = "X-Model-Version";
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade");
  private static final Set<String> SET_HERE =
      Set.of(
          "host",
          "content-length",
          "expect",
          "x-request-id",
          "x-model-version",
          "x-forwarded-for",
          "x-forwarded-host",
          "x-forwarded-proto");

  private ForwardedHeaders() {}

  /** Copies the client's request headers onto a backend request. */
  static void toBackend(ServerRequest req, HttpRequest.Builder backend) {
    Set<String> connectionScoped = connectionScoped(req.headers().values(HeaderNames.CONNECTION));
    for (Header header : req.headers()) {
      String name = header.name().toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(name) || SET_HERE.contains(name) || connectionScoped.contains(name)) {
        continue;
      }
      for (String value : header.allValues()) {
        backend.header(header.name(), value);
      }
    }
    backend.header(RequestIds.HEADER.defaultCase(), RequestIds.of(req));
    String peer = req.remotePeer().host();
    String forwardedFor =
        req.headers()
            .first(HeaderNames.X_FORWARDED_FOR)
            .map(previous -> previous + ", " + peer)
            .orElse(peer);
    backend.header("X-Forwarded-For", forwardedFor);
    backend.header("X-Forwarded-Host", req.authority());
    backend.header("X-Forwarded-Proto", req.isSecure() ? "https" : "http");
  }

  /** Copies a backend's response headers onto the client's response. */
  static void toClient(HttpHeaders backend, ServerResponse res) {
    Set<String> connectionScoped =
        connectionScoped(backend.allValues(HeaderNames.CONNECTION.defaultCase()));
    for (Map.Entry<String, List<String>> header : backend.map().entrySet()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith(":")
          || HOP_BY_HOP.contains(name)
          || connectionScoped.contains(name)
          || name.equals("x-request-id")
          || name.equals("x-model-version")) {
        continue;
      }
      res.header(header.getKey(), header.getValue().toArray(String[]::new));
    }
  }

  private static Set<String> connectionScoped(List<String> connectionHeader) {
    Set<String> names = new HashSet<>();
    for (String value : connectionHeader) {
      for (String token : value.split(",")) {
        names.add(token.strip().toLowerCase(Locale.ROOT));
      }
    }
    return names;
  }
}
