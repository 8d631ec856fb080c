package dev.skiff.runtime.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/** Keeps a started server mode running until the JVM is asked to stop, then closes it. */
final class UntilShutdown {
  private static final Logger LOG = Logger.getLogger(UntilShutdown.class.getName());

  private UntilShutdown() {}

  /**
   * Prints {@code banner} to {@code out}, blocks until SIGTERM/SIGINT, closes {@code server} (which
   * drains for {@code shutdownDelay} first) and logs when the shutdown starts and when the server
   * has stopped; returns exit 0.
   */
  static int run(
      AutoCloseable server, Duration shutdownDelay, String banner, PrintStream out, PrintStream err)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  long start = System.nanoTime();
                  LOG.info(starting(shutdownDelay));
                  try {
                    server.close();
                  } catch (Exception e) {
                    err.println("error while stopping: " + e);
                  }
                  LOG.info(
                      String.format(
                          Locale.ROOT,
                          "stopped, %.1f s after the shutdown signal",
                          (System.nanoTime() - start) / 1e9));
                  ShutdownLogManager.shutdownDone();
                  stopped.countDown();
                }));
    out.println(banner);
    out.flush();
    stopped.await();
    return 0;
  }

  /** The line logged when the shutdown starts: what happens until the server stops. */
  static String starting(Duration shutdownDelay) {
    if (!shutdownDelay.isPositive()) {
      return "shutdown signal received: stopping now (--shutdown-delay-s 0); requests in flight"
          + " may finish";
    }
    return "shutdown signal received: draining for "
        + shutdownDelay.toSeconds()
        + " s (readiness 503, each connection closed after its response), then stopping";
  }
}
