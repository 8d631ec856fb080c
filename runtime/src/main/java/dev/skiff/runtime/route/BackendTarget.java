package dev.skiff.runtime.route;

import dev.skiff.runtime.web.ApiException;
import io.helidon.http.HttpPrologue;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * What a request asks a version for, and the URI that carries it there. Only an origin-form target
 * ({@code /path?query}, RFC 9112 section 3.2.1) is forwarded. The other forms mean nothing to a
 * backend ({@code *} is for the server itself, absolute-form for a forward proxy), and a target
 * without its leading slash, put after a backend's address, would change the address (e.g. {@code
 * a:b@host/x} named another host); each is answered 400 by the router.
 */
final class BackendTarget {
  private BackendTarget() {}

  /**
   * The request's target, path and query exactly as they came.
   *
   * @throws ApiException 400 when it is not origin-form
   */
  static String originForm(HttpPrologue prologue) {
    String path = prologue.uriPath().rawPath();
    String target = prologue.hasQuery() ? path + "?" + prologue.query().rawValue() : path;
    if (!path.startsWith("/")) {
      throw ApiException.badRequest(
          "the request target '"
              + target
              + "' is not a path starting with '/'; the router forwards only origin-form targets"
              + " (/path?query)");
    }
    return target;
  }

  /**
   * The URI that sends {@code target} to the version at {@code base}, for Helidon's client with URI
   * encoding skipped ({@code skipUriEncoding(true)}). Scheme, host and port are the base's
   * components, so no target can change them. The target is the URI's path component, query
   * included: the constructor quotes it ({@code %} as {@code %25}, {@code ?} as {@code %3F}) and
   * the client writes the decoded path into the request line, which is the target as it came. As
   * the URI's query component it would not be: the client parses a query into names and writes it
   * back regrouped by name, with {@code +} turned into a space.
   *
   * @param base a version's URL as {@link RouterConfig} checked it: scheme, host and port only
   * @param target from {@link #originForm}
   */
  static URI uri(URI base, String target) {
    try {
      return new URI(base.getScheme(), null, base.getHost(), base.getPort(), target, null, null);
    } catch (URISyntaxException e) {
      throw ApiException.badRequest(
          "the request target '" + target + "' is not a valid URI path: " + e.getReason());
    }
  }
}
