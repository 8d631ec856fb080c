package dev.skiff.runtime;

import dev.skiff.runtime.cli.RuntimeCommandLine;
import dev.skiff.runtime.cli.ShutdownLogManager;
import io.helidon.logging.common.LogConfig;
import java.io.PrintStream;

/**
 * Entry point: {@code skiff-runtime <mode> ...} (the modes are in {@link dev.skiff.runtime.cli}).
 */
public final class Main {
  private static final String LOG_MANAGER = "java.util.logging.manager";

  private Main() {}

  public static void main(String[] args) {
    // Logging keeps working while the JVM shuts down, so the drain's lines are written (the JDK's
    // own log manager is reset by its shutdown hook, at the moment the drain starts). Set before
    // anything touches java.util.logging, which reads it once.
    if (System.getProperty(LOG_MANAGER) == null) {
      System.setProperty(LOG_MANAGER, ShutdownLogManager.class.getName());
    }
    // Every mode logs in the one format of logging.properties from its first line; left to itself
    // java.util.logging starts with its two-line default until something of Helidon's sets it up.
    LogConfig.configureRuntime();
    int exit = run(args, System.out, System.err);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  /**
   * Runs the command line with help, version and results on {@code out} and errors on {@code err};
   * returns the exit code: 0 ok, 2 a usage error, 1 or a mode's own code for its failures. A server
   * mode returns only once the JVM is shutting down.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return RuntimeCommandLine.run(args, out, err);
  }
}
