package dev.skiff.runtime.fetch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one line Kubernetes shows as the init container's termination message ({@code
 * terminationMessagePath}, default {@code /dev/termination-log}); the operator reads the word
 * before the colon as the version's status reason. Kubernetes keeps at most 4096 bytes, so the line
 * is cut well below that.
 */
public final class TerminationMessage {
  static final int MAX_CHARS = 1024;

  private TerminationMessage() {}

  /** {@code text} on one line, cut to {@link #MAX_CHARS}. */
  public static String oneLine(String text) {
    String line = text.replaceAll("[\\r\\n\\t]+", " ").strip();
    return line.length() > MAX_CHARS ? line.substring(0, MAX_CHARS - 1) + "…" : line;
  }

  /**
   * Writes {@code text} as one line to {@code path}; returns false when the path cannot be written
   * (not in a pod, or read-only): the message also goes to stderr, so nothing is lost.
   */
  public static boolean write(Path path, String text) {
    if (path == null) {
      return false;
    }
    try {
      Files.writeString(path, oneLine(text) + "\n", StandardCharsets.UTF_8);
      return true;
    } catch (IOException | SecurityException e) {
      return false;
    }
  }
}
