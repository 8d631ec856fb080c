package dev.skiff.runtime.serve;

import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.web.ApiException;
import dev.skiff.runtime.web.ErrorMapping;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Requires {@code Authorization: Bearer <token>} on inference and metadata paths when tokens are
 * configured; health, metrics and docs stay open so probes and scrapers need no secret. Tokens are
 * compared as SHA-256 digests with {@link MessageDigest#isEqual}, in constant time, and never
 * logged.
 */
public final class BearerTokenAuth implements Filter {
  private static final Set<String> OPEN_PREFIXES =
      Set.of("/health", "/v2/health", "/metrics", "/openapi", "/docs", "/redoc");

  private final List<byte[]> tokenDigests;
  private final Predicate<String> knownModel;
  private final RuntimeMetrics metrics;

  /**
   * @param knownModel whether a model name is served; a refused request's metric is labelled with
   *     the name only then, so clients without a token cannot create one series per name they send
   */
  public BearerTokenAuth(
      List<String> tokens, Predicate<String> knownModel, RuntimeMetrics metrics) {
    this.knownModel = knownModel;
    this.metrics = metrics;
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("at least one token is required");
    }
    this.tokenDigests = tokens.stream().map(BearerTokenAuth::digest).toList();
  }

  @Override
  public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
    String path = req.path().path();
    if (isOpen(path)) {
      chain.proceed();
      return;
    }
    Optional<String> refusal = refusal(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
    if (refusal.isPresent()) {
      deny(path, res, refusal.get());
      return;
    }
    chain.proceed();
  }

  /**
   * Why a request with this {@code Authorization} value (null when absent) is refused, or empty
   * when it carries a valid bearer token; REST and gRPC ({@code authorization} metadata) alike.
   */
  public Optional<String> refusal(String authorization) {
    if (authorization == null) {
      return Optional.of("this endpoint requires 'Authorization: Bearer <token>'");
    }
    if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.of("the Authorization header must use the Bearer scheme");
    }
    if (!matches(authorization.substring(7).trim())) {
      return Optional.of("the bearer token is not valid");
    }
    return Optional.empty();
  }

  static boolean isOpen(String path) {
    if (path.equals("/")) {
      return true; // KServe V1's liveness check, a probe like /health/live
    }
    for (String prefix : OPEN_PREFIXES) {
      if (path.equals(prefix) || path.startsWith(prefix + "/")) {
        return true;
      }
    }
    return false;
  }

  private boolean matches(String token) {
    byte[] candidate = digest(token);
    boolean found = false;
    for (byte[] known : tokenDigests) {
      found |= MessageDigest.isEqual(known, candidate); // no early exit: time does not leak which
    }
    return found;
  }

  private void deny(String path, RoutingResponse res, String message) {
    String model = modelOf(path);
    String label = model.isEmpty() || knownModel.test(model) ? model : RuntimeMetrics.UNKNOWN_MODEL;
    metrics.rejected(label, "", "unauthorized");
    ErrorMapping.send(res, ApiException.unauthorized(message));
  }

  /**
   * The model a refused request was for ({@code /v2/models/m/...}, {@code /v1/models/m:predict}).
   */
  static String modelOf(String path) {
    String[] parts = path.split("/", -1);
    if (parts.length > 3 && parts[2].equals("models")) {
      String model = parts[3];
      int colon = model.indexOf(':');
      return colon < 0 ? model : model.substring(0, colon);
    }
    return "";
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
