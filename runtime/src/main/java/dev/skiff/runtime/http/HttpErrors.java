package dev.skiff.runtime.http;

import io.helidon.http.RequestException;

/** Status codes of exceptions that are not {@link dev.skiff.runtime.protocol.ApiException}s. */
final class HttpErrors {
  private HttpErrors() {}

  /** The status the error mapping will answer with, for metrics recorded before it runs. */
  static int statusOf(RuntimeException e) {
    if (e instanceof RequestException re) {
      return re.status().code();
    }
    return 500;
  }
}
