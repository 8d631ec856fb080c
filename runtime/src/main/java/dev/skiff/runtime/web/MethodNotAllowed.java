package dev.skiff.runtime.web;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import java.util.List;

/**
 * Answers 405 with an {@code Allow} header for a known path called with the wrong method, instead
 * of the 404 a router gives when no route matches. Registered after the real routes.
 */
public final class MethodNotAllowed {
  private MethodNotAllowed() {}

  public static void register(HttpRules rules, List<String> paths, String allowed) {
    for (String path : paths) {
      rules.any(
          path,
          (req, res) -> {
            res.header(HeaderNames.ALLOW, allowed);
            throw ApiException.methodNotAllowed(
                req.prologue().method().text() + " is not allowed here; use " + allowed);
          });
    }
  }
}
