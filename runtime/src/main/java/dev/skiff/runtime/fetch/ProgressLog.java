package dev.skiff.runtime.fetch;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Download progress for the init container's log: percent when the length is known, bytes so far
 * and the average rate, at most once per interval so a fast download does not flood the log.
 */
final class ProgressLog {
  private final String what;
  private final long total;
  private final long intervalNanos;
  private final Consumer<String> sink;
  private final long start = System.nanoTime();
  private long lastLogged = start;

  ProgressLog(String what, long total, Duration interval, Consumer<String> sink) {
    this.what = what;
    this.total = total;
    this.intervalNanos = interval.toNanos();
    this.sink = sink;
  }

  void update(long bytes) {
    long now = System.nanoTime();
    if (now - lastLogged >= intervalNanos) {
      lastLogged = now;
      sink.accept(line(bytes, now));
    }
  }

  void done(long bytes) {
    sink.accept(line(bytes, System.nanoTime()) + ", done");
  }

  private String line(long bytes, long now) {
    double seconds = Math.max(1e-3, (now - start) / 1e9);
    String rate = size((long) (bytes / seconds)) + "/s";
    if (total > 0) {
      return String.format(
          Locale.ROOT,
          "%s: %d%% (%s of %s) at %s",
          what,
          bytes * 100 / total,
          size(bytes),
          size(total),
          rate);
    }
    return String.format(Locale.ROOT, "%s: %s at %s", what, size(bytes), rate);
  }

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
