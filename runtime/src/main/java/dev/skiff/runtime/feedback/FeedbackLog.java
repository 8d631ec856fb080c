package dev.skiff.runtime.feedback;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An append-only JSON-lines file with a size cap: when the next line would pass {@code maxBytes}
 * the file is renamed {@code .1} (older ones shift up, the oldest beyond {@code files} is deleted)
 * and a new one is started. Each line goes to the file in one unbuffered write, so a clean shutdown
 * (or a crash of the JVM, not of the machine) loses nothing already acknowledged.
 */
public final class FeedbackLog implements AutoCloseable {
  private final FeedbackLogOptions options;
  private OutputStream out;
  private long size;

  private FeedbackLog(FeedbackLogOptions options) {
    this.options = options;
  }

  /** Opens (appending to) the log; a log without a path writes nothing. */
  public static FeedbackLog open(FeedbackLogOptions options) {
    FeedbackLog log = new FeedbackLog(options);
    if (options.path() != null) {
      log.openFile();
    }
    return log;
  }

  public boolean enabled() {
    return options.path() != null;
  }

  /** Appends one line (a newline is added). */
  public synchronized void append(String json) {
    if (out == null) {
      return;
    }
    byte[] line = (json + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      if (size > 0 && size + line.length > options.maxBytes()) {
        rotate();
      }
      out.write(line);
      out.flush();
      size += line.length;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the feedback log " + options.path(), e);
    }
  }

  private void rotate() throws IOException {
    out.close();
    Path path = options.path();
    int files = options.files();
    if (files == 0) {
      Files.delete(path);
    } else {
      Files.deleteIfExists(sibling(path, files));
      for (int n = files - 1; n >= 1; n--) {
        Path from = sibling(path, n);
        if (Files.exists(from)) {
          Files.move(from, sibling(path, n + 1), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.move(path, sibling(path, 1), StandardCopyOption.REPLACE_EXISTING);
    }
    openFile();
  }

  static Path sibling(Path path, int n) {
    return path.resolveSibling(path.getFileName() + "." + n);
  }

  private void openFile() {
    Path path = options.path();
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      out =
          Files.newOutputStream(
              path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
      size = Files.size(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the feedback log " + path, e);
    }
  }

  @Override
  public synchronized void close() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        out = null;
      }
    }
  }
}
