package dev.skiff.runtime.route;

/** A router config file that cannot be used; the message names the key and the problem. */
public final class InvalidRouterConfigException extends RuntimeException {
  public InvalidRouterConfigException(String message) {
    super(message);
  }

  public InvalidRouterConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
