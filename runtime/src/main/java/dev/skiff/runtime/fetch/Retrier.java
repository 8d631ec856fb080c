package dev.skiff.runtime.fetch;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Runs an attempt again after a transient failure, waiting twice as long each time (plus up to a
 * fifth of jitter so many pods restarted together do not retry in lockstep), at most {@link
 * FetchOptions#MAX_BACKOFF}. Permanent failures (4xx, checksum, size) are not retried.
 */
final class Retrier {

  /** One attempt. */
  @FunctionalInterface
  interface Attempt<T> {
    T run() throws FetchException;
  }

  private final int attempts;
  private final Duration initialBackoff;
  private final Consumer<String> log;

  Retrier(int attempts, Duration initialBackoff, Consumer<String> log) {
    this.attempts = attempts;
    this.initialBackoff = initialBackoff;
    this.log = log;
  }

  <T> T run(Attempt<T> attempt) throws FetchException {
    Duration backoff = initialBackoff;
    for (int i = 1; ; i++) {
      try {
        return attempt.run();
      } catch (FetchException e) {
        if (!e.retryable()) {
          throw e;
        }
        if (i >= attempts) {
          throw FetchException.of(
              e.reason(),
              e.getMessage() + " (gave up after " + attempts + " attempt(s))",
              e.getCause());
        }
        long jitter =
            backoff.toMillis() <= 0
                ? 0
                : ThreadLocalRandom.current().nextLong(backoff.toMillis() / 5 + 1);
        Duration wait = backoff.plusMillis(jitter);
        log.accept(
            "attempt "
                + i
                + " of "
                + attempts
                + " failed: "
                + e.getMessage()
                + "; retrying in "
                + wait.toMillis()
                + " ms");
        sleep(wait);
        backoff = min(backoff.multipliedBy(2), FetchOptions.MAX_BACKOFF);
      }
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void sleep(Duration wait) throws FetchException {
    try {
      Thread.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FetchException.of(FetchReason.FAILED, "interrupted while waiting to retry", e);
    }
  }
}
