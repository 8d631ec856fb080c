package dev.skiff.runtime.serve;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The python of a pinned virtualenv that a hack/python-clients.sh run made and the build passed in
 * a system property. Where the property is empty, because the Python index was unreachable, the
 * calling test is skipped, saying so.
 */
final class TestVirtualenv {
  private TestVirtualenv() {}

  /**
   * @param property the system property holding the python's path
   * @param requirements the requirements file the virtualenv is built from, for the skip message
   */
  static Path python(String property, String requirements) {
    String python = System.getProperty(property, "");
    assumeTrue(
        !python.isBlank() && Files.isExecutable(Path.of(python)),
        "SKIPPED: no Python from "
            + requirements
            + " (-D"
            + property
            + "; hack/python-clients.sh could not install it: is the Python index reachable?)");
    return Path.of(python);
  }
}
