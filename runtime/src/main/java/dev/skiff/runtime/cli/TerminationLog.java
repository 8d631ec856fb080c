package dev.skiff.runtime.cli;

import dev.skiff.api.contract.TerminationMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the one line Kubernetes shows as a container's termination message ({@code
 * terminationMessagePath}); the operator reads it from the pod's status ({@link
 * TerminationMessage}).
 */
final class TerminationLog {

  private TerminationLog() {}

  /**
   * Writes {@code text} as one line to {@code path}; returns false when there is no path or it
   * cannot be written (not in a pod, or read-only): the callers also print the line, so nothing is
   * lost.
   */
  static boolean write(Path path, String text) {
    if (path == null) {
      return false;
    }
    try {
      Files.writeString(path, TerminationMessage.oneLine(text) + "\n", StandardCharsets.UTF_8);
      return true;
    } catch (IOException | SecurityException e) {
      return false;
    }
  }
}
