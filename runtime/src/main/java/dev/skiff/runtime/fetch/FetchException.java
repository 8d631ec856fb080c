package dev.skiff.runtime.fetch;

/** A fetch failure with its reason; {@link #retryable()} says whether another attempt may help. */
public final class FetchException extends Exception {
  private final FetchReason reason;
  private final boolean retryable;

  private FetchException(FetchReason reason, String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.retryable = retryable;
  }

  /** A failure that another attempt will not fix. */
  public static FetchException of(FetchReason reason, String message) {
    return new FetchException(reason, message, false, null);
  }

  /** A failure that another attempt will not fix, with its cause. */
  public static FetchException of(FetchReason reason, String message, Throwable cause) {
    return new FetchException(reason, message, false, cause);
  }

  /** A transient failure (connection error, timeout, 5xx, 429): retried with backoff. */
  public static FetchException transientNetwork(String message, Throwable cause) {
    return new FetchException(FetchReason.NETWORK, message, true, cause);
  }

  public FetchReason reason() {
    return reason;
  }

  public boolean retryable() {
    return retryable;
  }

  /** The one-line termination message: {@code <Reason>: <detail>}. */
  public String terminationMessage() {
    return reason.word() + ": " + getMessage();
  }
}
