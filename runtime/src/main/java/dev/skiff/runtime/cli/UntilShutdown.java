package dev.skiff.runtime.cli;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/** Keeps a started server mode running until the JVM is asked to stop, then closes it. */
final class UntilShutdown {
  private UntilShutdown() {}

  /**
   * Prints {@code banner} to {@code out}, blocks until SIGTERM/SIGINT, closes {@code server};
   * returns exit 0.
   */
  static int run(AutoCloseable server, String banner, PrintStream out, PrintStream err)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (Exception e) {
                    err.println("error while stopping: " + e);
                  }
                  stopped.countDown();
                }));
    out.println(banner);
    out.flush();
    stopped.await();
    return 0;
  }
}
