package dev.skiff.runtime.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Poll mode: scans the repository folder every interval and tells {@link ModelRepositoryControl}
 * which model folders appeared, changed or went. A periodic scan of every file's size and
 * modification time, not a file-system watch: watches miss changes on overlay and network file
 * systems and on Kubernetes volumes that swap a symlink. A folder is acted on only once it looks
 * the same in two scans in a row, so a model being copied in is loaded after the copy, not halfway.
 */
public final class RepositoryPoller implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RepositoryPoller.class.getName());

  private final ModelRepositoryControl control;
  private final Duration interval;
  private final ScheduledExecutorService scanner;

  /** What each folder looked like when it was last acted on (or at start). */
  private final Map<String, String> applied = new HashMap<>();

  private Map<String, String> lastSeen;

  /** Takes the first look at the folder now, before the models load, so no change is missed. */
  public RepositoryPoller(ModelRepositoryControl control, Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("the repository poll interval must be > 0");
    }
    this.control = control;
    this.interval = interval;
    this.lastSeen = snapshot();
    this.applied.putAll(lastSeen);
    this.scanner =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("skiff-repository-poll").daemon(true).unstarted(r));
  }

  /** Starts scanning every interval. */
  public void start() {
    long millis = interval.toMillis();
    // scanQuietly catches everything, so the Future never holds a failure worth reading
    var unused =
        scanner.scheduleWithFixedDelay(this::scanQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  private void scanQuietly() {
    try {
      scan();
    } catch (RuntimeException e) {
      // a scan that failed is retried at the next interval; the scanner must not die
      LOG.log(Level.WARNING, "repository scan failed", e);
    }
  }

  /** One scan: acts on every folder that changed and then held still for one interval. */
  void scan() {
    Map<String, String> now = snapshot();
    for (Map.Entry<String, String> folder : now.entrySet()) {
      String name = folder.getKey();
      String looks = folder.getValue();
      if (looks.equals(lastSeen.get(name)) && !looks.equals(applied.get(name))) {
        applied.put(name, looks);
        LOG.info("model folder '" + name + "' appeared or changed; loading it");
        control.folderChanged(control.repository().root().resolve(name));
      }
    }
    for (String name : List.copyOf(applied.keySet())) {
      Path settings =
          control.repository().root().resolve(name).resolve(ModelRepository.SETTINGS_FILE);
      if (!now.containsKey(name) && !Files.isRegularFile(settings)) {
        applied.remove(name);
        LOG.info("model folder '" + name + "' was removed; unloading its model");
        control.folderRemoved(name);
      }
    }
    lastSeen = now;
  }

  /** Every model folder's fingerprint: each file's path, size and modification time. */
  private Map<String, String> snapshot() {
    Map<String, String> fingerprints = new HashMap<>();
    for (Path folder : control.modelFolders()) {
      fingerprint(folder).ifPresent(f -> fingerprints.put(folder.getFileName().toString(), f));
    }
    return fingerprints;
  }

  private static Optional<String> fingerprint(Path folder) {
    StringBuilder text = new StringBuilder();
    try (Stream<Path> files = Files.walk(folder)) {
      files
          .sorted()
          .forEach(
              file -> {
                try {
                  BasicFileAttributes attributes =
                      Files.readAttributes(file, BasicFileAttributes.class);
                  if (attributes.isRegularFile()) {
                    text.append(folder.relativize(file))
                        .append(' ')
                        .append(attributes.size())
                        .append(' ')
                        .append(attributes.lastModifiedTime().toMillis())
                        .append('\n');
                  }
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty(); // changing under the scan: looked at again next time
    }
    return Optional.of(text.toString());
  }

  @Override
  public void close() {
    scanner.shutdownNow();
    try {
      if (!scanner.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warning("the repository poller did not stop within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
