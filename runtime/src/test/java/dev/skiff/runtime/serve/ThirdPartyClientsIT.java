package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs Python's tritonclient and kserve clients (pytest, src/test/python) against a live runtime.
 * The virtualenv comes from hack/python-clients.sh via -Dskiff.python; where the Python index was
 * unreachable the property is empty and the test is skipped, saying so.
 */
class ThirdPartyClientsIT {

  @Test
  void tritonAndKserveClientsWorkUnchanged() throws Exception {
    String python = System.getProperty("skiff.python", "");
    assumeTrue(
        !python.isBlank() && Files.isExecutable(Path.of(python)),
        "SKIPPED: no Python with tritonclient/kserve (hack/python-clients.sh could not install"
            + " them; is the Python index reachable?)");
    try (ModelServer server =
        ModelServer.start(ServeOptions.builder(Path.of("../examples/models")).port(0).build())) {
      server.awaitModelsLoaded(Duration.ofSeconds(60));
      Path log = Files.createTempFile("third-party-clients", ".log");
      ProcessBuilder pytest =
          new ProcessBuilder(
                  python, "-m", "pytest", "-v", "-p", "no:cacheprovider", "src/test/python")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pytest.environment().put("SKIFF_URL", "http://127.0.0.1:" + server.port());
      pytest
          .environment()
          .put("SKIFF_EXAMPLES", Path.of("../examples").toAbsolutePath().toString());
      Process process = pytest.start();
      boolean finished = process.waitFor(5, TimeUnit.MINUTES);
      String output = read(log);
      System.out.println(output);
      assertThat(finished).as("pytest finished in time").isTrue();
      assertThat(process.exitValue()).as(output).isZero();
      assertThat(output).contains("13 passed");
    }
  }

  private static String read(Path log) throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }
}
