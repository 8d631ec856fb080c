package dev.skiff.runtime.web;

/**
 * A request that cannot be answered normally, with the HTTP status that says why. The message is
 * shown to the client as {@code {"error": message}}, so it names the tensor and the problem and
 * never carries secrets or stack traces.
 */
public final class ApiException extends RuntimeException {
  /** {@link #reason()} of a 503 for a server at capacity. */
  public static final String OVERLOADED = "overloaded";

  /** {@link #reason()} of a 503 for a version that is not ready. */
  public static final String UNAVAILABLE = "unavailable";

  private final int status;
  private final String reason;
  private final long retryAfterSeconds;

  private ApiException(int status, String reason, String message, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, "invalid_request", message, 0);
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(401, "unauthorized", message, 0);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "not_found", message, 0);
  }

  public static ApiException methodNotAllowed(String message) {
    return new ApiException(405, "method_not_allowed", message, 0);
  }

  public static ApiException payloadTooLarge(String message) {
    return new ApiException(413, "payload_too_large", message, 0);
  }

  public static ApiException unsupportedMediaType(String message) {
    return new ApiException(415, "unsupported_media_type", message, 0);
  }

  /** The server is at capacity; the client should retry after the given delay. */
  public static ApiException overloaded(String message, long retryAfterSeconds) {
    return new ApiException(503, OVERLOADED, message, retryAfterSeconds);
  }

  public static ApiException unavailable(String message) {
    return new ApiException(503, UNAVAILABLE, message, 0);
  }

  /** Something this answer depends on is down for now; the client should retry. */
  public static ApiException unavailable(String message, long retryAfterSeconds) {
    return new ApiException(503, UNAVAILABLE, message, retryAfterSeconds);
  }

  /** A failure inside the server or the model, not caused by the request. */
  public static ApiException internal(String message) {
    return new ApiException(500, "internal", message, 0);
  }

  public int status() {
    return status;
  }

  /** A short snake_case label for metrics (e.g. {@code overloaded}). */
  public String reason() {
    return reason;
  }

  /** Seconds for a {@code Retry-After} header, or 0 for none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
