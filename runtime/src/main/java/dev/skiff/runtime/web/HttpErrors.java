package dev.skiff.runtime.web;

import io.helidon.http.RequestException;

/** Status codes of exceptions that are not {@link dev.skiff.runtime.web.ApiException}s. */
public final class HttpErrors {
  private HttpErrors() {}

  /** The status the error mapping will answer with, for metrics recorded before it runs. */
  public static int statusOf(RuntimeException e) {
    if (e instanceof RequestException re) {
      return re.status().code();
    }
    return 500;
  }
}
