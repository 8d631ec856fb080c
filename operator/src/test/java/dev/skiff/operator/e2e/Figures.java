package dev.skiff.operator.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The measured figures of the end-to-end tier, one line each: printed as they are measured and
 * appended to {@code target/e2e-figures.txt}, which hack/e2e/run.sh prints as a table at the end.
 */
final class Figures {

  private static final Path FILE =
      Path.of(System.getProperty("skiff.e2e.figures", "target/e2e-figures.txt"));

  private Figures() {}

  static synchronized void record(String scenario, String figure, String value) {
    String line = scenario + " | " + figure + " | " + value;
    System.out.println("[e2e figure] " + line);
    try {
      Files.createDirectories(FILE.toAbsolutePath().getParent());
      Files.writeString(
          FILE,
          line + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
