package dev.skiff.runtime.feedback;

import java.nio.file.Path;

/**
 * Where feedback is logged and how much is kept.
 *
 * @param path the JSON-lines file; null turns the log off
 * @param maxBytes the size at which the file is rotated
 * @param files rotated files kept ({@code path.1} newest .. {@code path.N} oldest)
 */
public record FeedbackLogOptions(Path path, long maxBytes, int files) {
  public static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;
  public static final int DEFAULT_FILES = 5;

  public static final FeedbackLogOptions OFF =
      new FeedbackLogOptions(null, DEFAULT_MAX_BYTES, DEFAULT_FILES);

  public FeedbackLogOptions {
    if (maxBytes < 1 || files < 0) {
      throw new IllegalArgumentException("maxBytes must be >= 1 and files >= 0");
    }
  }
}
