package dev.skiff.runtime.fetch;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fails a read that made no progress for the read timeout, whatever the source: the JDK HTTP client
 * has no per-read timeout once the headers arrived, and a stalled NFS mount has none at all. On a
 * stall it interrupts the reading thread and closes the stream, which unblocks both queue-based
 * (HTTP client) and socket-based reads.
 */
final class StallWatchdog implements AutoCloseable {
  private final Thread reader = Thread.currentThread();
  private final long timeoutNanos;
  private final Closeable stream;
  private final ScheduledFuture<?> task;
  private volatile long lastProgress = System.nanoTime();
  private volatile boolean stalled;
  private boolean active = true;

  StallWatchdog(ScheduledExecutorService timer, Duration timeout, Closeable stream) {
    this.timeoutNanos = timeout.toNanos();
    this.stream = stream;
    long period = Math.max(10, timeout.toMillis() / 4);
    this.task = timer.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  /** Bytes arrived: the timeout starts again. */
  void progress() {
    lastProgress = System.nanoTime();
  }

  /** Whether the watchdog gave up on the read. */
  boolean stalled() {
    return stalled;
  }

  private void check() {
    if (System.nanoTime() - lastProgress < timeoutNanos) {
      return;
    }
    synchronized (this) {
      if (!active || stalled) {
        return;
      }
      stalled = true;
      reader.interrupt();
    }
    try {
      stream.close();
    } catch (IOException | RuntimeException e) {
      // the read is being abandoned either way
    }
  }

  /** Stops watching and clears an interrupt the watchdog may have raised; idempotent. */
  @Override
  public void close() {
    task.cancel(false);
    synchronized (this) {
      active = false;
    }
    if (stalled) {
      Thread.interrupted();
    }
  }
}
