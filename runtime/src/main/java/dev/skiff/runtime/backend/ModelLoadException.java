package dev.skiff.runtime.backend;

/** A model or version that cannot be served, with a message an operator can act on. */
public final class ModelLoadException extends RuntimeException {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
