package dev.skiff.runtime.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.logging.Logger;

/**
 * Keeps a started server mode running until the JVM is asked to stop, or until the server itself
 * has a reason to end, then closes it.
 */
final class UntilShutdown {
  private static final Logger LOG = Logger.getLogger(UntilShutdown.class.getName());

  private UntilShutdown() {}

  /**
   * {@link #run(AutoCloseable, Duration, String, PrintStream, PrintStream, CompletionStage)} for a
   * server that only stops when asked to.
   */
  static int run(
      AutoCloseable server, Duration shutdownDelay, String banner, PrintStream out, PrintStream err)
      throws InterruptedException {
    return run(server, shutdownDelay, banner, out, err, new CompletableFuture<>());
  }

  /**
   * Prints {@code banner} to {@code out} and blocks until SIGTERM/SIGINT or until {@code exit}
   * completes. On a signal it closes {@code server} (which drains for {@code shutdownDelay} first),
   * logs when the shutdown starts and when the server has stopped, and returns 0. {@code exit}
   * completes with a code once the server has stopped by itself (it gave up, e.g. a model did not
   * load): then that code is returned at once, with no drain and no shutdown log.
   */
  static int run(
      AutoCloseable server,
      Duration shutdownDelay,
      String banner,
      PrintStream out,
      PrintStream err,
      CompletionStage<Integer> exit)
      throws InterruptedException {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    Thread hook =
        new Thread(
            () -> {
              long start = System.nanoTime();
              LOG.info(starting(shutdownDelay));
              closeQuietly(server, err);
              LOG.info(
                  String.format(
                      Locale.ROOT,
                      "stopped, %.1f s after the shutdown signal",
                      (System.nanoTime() - start) / 1e9));
              ShutdownLogManager.shutdownDone();
              result.complete(0);
            });
    Runtime.getRuntime().addShutdownHook(hook);
    out.println(banner);
    out.flush();
    exit.thenAccept(result::complete);
    int code;
    try {
      code = result.get();
    } catch (ExecutionException e) {
      code = 1;
    }
    if (code != 0) {
      removeHook(hook);
    }
    return code;
  }

  /** The server stopped by itself: System.exit must not run the signal's drain and log. */
  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // a signal came at the same moment: the hook runs, and closing twice is harmless
    }
  }

  private static void closeQuietly(AutoCloseable server, PrintStream err) {
    try {
      server.close();
    } catch (Exception e) {
      err.println("error while stopping: " + e);
    }
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
