package dev.skiff.runtime.route;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Re-reads the config file every poll interval and hands each new valid config to the router. It
 * compares the file's bytes, not its modification time or a {@code WatchService} event, because a
 * ConfigMap volume is updated by swapping a symlink to a new folder: the path's own timestamp and
 * events are unreliable there, the content is not. A file that does not parse or validate is logged
 * once (per distinct content) and the last good config stays in effect.
 */
final class ConfigWatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());

  private final Path file;
  private final Duration interval;
  private final Consumer<RouterConfig> onNewConfig;
  private final Runnable onRejected;
  private final Thread thread;
  private byte[] lastSeen;
  private volatile Optional<String> lastError = Optional.empty();
  private volatile boolean closed;

  /**
   * Reads the file once; a problem here is fatal (there is no last good config yet).
   *
   * @param onNewConfig receives every new valid config, the first one included
   * @param onRejected told about every change that was not taken
   * @throws InvalidRouterConfigException when the file cannot be read or is invalid
   */
  ConfigWatcher(
      Path file, Duration interval, Consumer<RouterConfig> onNewConfig, Runnable onRejected) {
    this.file = file;
    this.interval = interval;
    this.onNewConfig = onNewConfig;
    this.onRejected = onRejected;
    this.thread = Thread.ofPlatform().name("skiff-router-config").daemon(true).unstarted(this::run);
    try {
      lastSeen = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InvalidRouterConfigException("cannot read " + file + ": " + e, e);
    }
    try {
      onNewConfig.accept(RouterConfig.parse(lastSeen));
    } catch (InvalidRouterConfigException e) {
      throw new InvalidRouterConfigException(file + ": " + e.getMessage(), e);
    }
  }

  void start() {
    thread.start();
  }

  /** Why the file on disk is not in effect, when it is not. */
  Optional<String> lastError() {
    return lastError;
  }

  private void run() {
    while (!closed) {
      try {
        Thread.sleep(interval);
        poll();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warning("config reload failed: " + e);
      }
    }
  }

  /** One look at the file. */
  void poll() {
    byte[] now;
    try {
      now = Files.readAllBytes(file);
    } catch (IOException e) {
      String error = "cannot read " + file + ": " + e;
      if (!lastError.equals(Optional.of(error))) {
        LOG.warning(error + "; keeping the last good config");
        lastError = Optional.of(error);
      }
      return;
    }
    if (Arrays.equals(now, lastSeen)) {
      return;
    }
    lastSeen = now;
    try {
      RouterConfig config = RouterConfig.parse(now);
      onNewConfig.accept(config);
      lastError = Optional.empty();
      LOG.info("loaded new config from " + file + ": " + describe(config));
    } catch (InvalidRouterConfigException e) {
      lastError = Optional.of(e.getMessage());
      onRejected.run();
      LOG.warning(
          "ignoring new config in " + file + ": " + e.getMessage() + "; keeping the last good one");
    }
  }

  static String describe(RouterConfig config) {
    StringBuilder text = new StringBuilder(config.model()).append(" ");
    config
        .versions()
        .forEach(v -> text.append(v.name()).append("=").append(v.weight()).append("% "));
    config
        .mirror()
        .ifPresent(
            m -> text.append("mirror ").append(m.percent()).append("% to ").append(m.version()));
    return text.toString().strip();
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
