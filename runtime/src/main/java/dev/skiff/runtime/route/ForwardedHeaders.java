package dev.skiff.runtime.route;

import dev.skiff.api.contract.RuntimeHttp;
import dev.skiff.runtime.web.RequestIds;
import io.helidon.http.ClientRequestHeaders;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.ServerRequestHeaders;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which headers cross the proxy, in each direction. Hop-by-hop headers (RFC 9110 §7.6.1, plus any
 * named in {@code Connection}) describe one connection and stay behind; {@code Host} is the
 * backend's own address (the client's goes on in {@code X-Forwarded-Host}, as nginx does by
 * default) and {@code Content-Length} and {@code Transfer-Encoding} follow the body as it is sent
 * (see {@link RequestBody}); {@code X-Request-Id} is the router's own (so client, router and
 * backend log the same id); everything else, {@code Authorization} included, passes unchanged.
 */
final class ForwardedHeaders {
  static final String MODEL_VERSION = RuntimeHttp.MODEL_VERSION_HEADER;
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

  /** {@code Connection} values that name no other header (nearly every request's). */
  private static final Set<String> PLAIN_CONNECTION = Set.of("keep-alive", "close");

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
  static void toBackend(ServerRequest req, ClientRequestHeaders backend) {
    ServerRequestHeaders headers = req.headers();
    Set<String> connectionScoped = connectionScoped(headers, HeaderNames.CONNECTION);
    for (Header header : headers) {
      String name = header.headerName().lowerCase();
      if (HOP_BY_HOP.contains(name) || SET_HERE.contains(name) || connectionScoped.contains(name)) {
        continue;
      }
      backend.add(header);
    }
    backend.set(RequestIds.HEADER, RequestIds.of(req));
    String peer = req.remotePeer().host();
    backend.set(
        HeaderNames.X_FORWARDED_FOR,
        headers
            .first(HeaderNames.X_FORWARDED_FOR)
            .map(previous -> previous + ", " + peer)
            .orElse(peer));
    backend.set(HeaderNames.X_FORWARDED_HOST, req.authority());
    backend.set(HeaderNames.X_FORWARDED_PROTO, req.isSecure() ? "https" : "http");
  }

  /** Copies a backend's response headers onto the client's response. */
  static void toClient(Headers backend, ServerResponse res) {
    Set<String> connectionScoped = connectionScoped(backend, HeaderNames.CONNECTION);
    for (Header header : backend) {
      String name = header.headerName().lowerCase();
      if (name.startsWith(":")
          || HOP_BY_HOP.contains(name)
          || connectionScoped.contains(name)
          || name.equals("x-request-id")
          || name.equals("x-model-version")) {
        continue;
      }
      res.header(header);
    }
  }

  /** The names listed in a {@code Connection} header (lower case); usually none. */
  private static Set<String> connectionScoped(Headers headers, HeaderName connection) {
    if (!headers.contains(connection)) {
      return Set.of();
    }
    List<String> values = headers.get(connection).allValues();
    if (values.size() == 1 && PLAIN_CONNECTION.contains(values.get(0).toLowerCase(Locale.ROOT))) {
      return Set.of();
    }
    Set<String> names = new HashSet<>();
    for (String value : values) {
      for (String token : value.split(",", -1)) {
        if (!token.isBlank()) {
          names.add(token.strip().toLowerCase(Locale.ROOT));
        }
      }
    }
    return names;
  }
}
