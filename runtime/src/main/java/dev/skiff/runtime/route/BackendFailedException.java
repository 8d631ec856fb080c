package dev.skiff.runtime.route;

/**
 * A backend gave no usable answer (502: connection or protocol error; 504: no response in time).
 * Not an {@link dev.skiff.runtime.web.ApiException}: the client did nothing wrong, and the answer
 * names the version that failed.
 */
final class BackendFailedException extends RuntimeException {
  private final int status;
  private final String version;

  BackendFailedException(int status, String version, String message) {
    super(message, null, false, false);
    this.status = status;
    this.version = version;
  }

  int status() {
    return status;
  }

  String version() {
    return version;
  }
}
