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

  /** No log. */
  public static final FeedbackLogOptions OFF = builder().build();

  public FeedbackLogOptions {
    if (maxBytes < 1 || files < 0) {
      throw new IllegalArgumentException("maxBytes must be >= 1 and files >= 0");
    }
  }

  /** A builder that starts from the defaults: no log, 10 MiB files, 5 kept. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link FeedbackLogOptions}. */
  public static final class Builder {
    private Path path;
    private long maxBytes = DEFAULT_MAX_BYTES;
    private int files = DEFAULT_FILES;

    private Builder() {}

    public Builder path(Path value) {
      this.path = value;
      return this;
    }

    public Builder maxBytes(long value) {
      this.maxBytes = value;
      return this;
    }

    public Builder files(int value) {
      this.files = value;
      return this;
    }

    public FeedbackLogOptions build() {
      return new FeedbackLogOptions(path, maxBytes, files);
    }
  }
}
