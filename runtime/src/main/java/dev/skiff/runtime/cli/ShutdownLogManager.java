package dev.skiff.runtime.cli;

import java.util.logging.LogManager;

/**
 * The JDK's log manager, except that logging keeps working while the JVM shuts down. The JDK's own
 * shutdown hook resets logging (every handler closed and removed) at the same time as the mode's
 * hook starts its drain, so what the drain logs (that it started, that the server stopped) was
 * lost. Here that reset waits until the mode's hook is done ({@link #shutdownDone()}). {@code Main}
 * names this class in {@code java.util.logging.manager} before anything logs.
 */
public final class ShutdownLogManager extends LogManager {
  private volatile boolean shutdownDone;

  /** Used by {@link LogManager} itself, through the system property. */
  public ShutdownLogManager() {}

  @Override
  public void reset() {
    if (!shutdownDone && shuttingDown()) {
      return;
    }
    super.reset();
  }

  /** The mode's hook has logged its last line: resets logging now if the JVM is shutting down. */
  static void shutdownDone() {
    if (LogManager.getLogManager() instanceof ShutdownLogManager manager) {
      manager.shutdownDone = true;
      manager.reset();
    }
  }

  /** Whether the JVM is running its shutdown hooks: no hook can be added then. */
  private static boolean shuttingDown() {
    Thread probe = new Thread(() -> {});
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }
}
