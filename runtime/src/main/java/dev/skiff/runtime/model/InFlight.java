package dev.skiff.runtime.model;

/**
 * Counts the requests running on one {@link ServingVersion} so an unloaded or replaced version is
 * closed only after the last of them finished: {@link #retire} stops new requests from entering and
 * closes the version at once when none runs, otherwise when the last one leaves.
 */
final class InFlight {
  private int running;
  private boolean retired;
  private Runnable onDrained;

  /** False once the version is retired: the caller must not use it. */
  synchronized boolean enter() {
    if (retired) {
      return false;
    }
    running++;
    return true;
  }

  void exit() {
    Runnable close;
    synchronized (this) {
      running--;
      if (!retired || running > 0 || onDrained == null) {
        return;
      }
      close = onDrained;
      onDrained = null;
    }
    close.run(); // outside the lock: closing a native session may take a while
  }

  /** Refuses new requests; runs {@code close} once no request is running (now, or later). */
  void retire(Runnable close) {
    synchronized (this) {
      if (retired) {
        return;
      }
      retired = true;
      if (running > 0) {
        onDrained = close;
        return;
      }
    }
    close.run();
  }

  synchronized int running() {
    return running;
  }
}
