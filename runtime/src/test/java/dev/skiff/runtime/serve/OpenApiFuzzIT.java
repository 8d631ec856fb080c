package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The served OpenAPI document checked by tools nobody here wrote, against a live runtime on the
 * example models: schemathesis (test_openapi_fuzz.py, seeded and bounded) and Swagger UI in
 * headless Chromium driven by Selenium (test_swagger_ui.py).
 */
class OpenApiFuzzIT {

  @Test
  void schemathesisFindsNothing() throws Exception {
    String output = PytestRun.run(Duration.ofMinutes(4), "test_openapi_fuzz.py");
    assertThat(output).contains("1 passed");
  }

  @Test
  void swaggerUiExpandsEveryOperation() throws Exception {
    PytestRun.python();
    Path chromium = Path.of("/usr/bin/chromium");
    Path driver = Path.of("/usr/bin/chromedriver");
    assumeTrue(
        Files.isExecutable(chromium) && Files.isExecutable(driver),
        "SKIPPED: no headless Chromium (apt-get install chromium chromium-driver; .ci/run does)");
    // Every operation of every example model is expanded (~2 min for 8 models on 2 cores), so the
    // bound grows with the examples; it only stops a hung browser.
    String output =
        PytestRun.run(
            Duration.ofMinutes(6),
            Map.of("SKIFF_CHROMIUM", chromium.toString(), "SKIFF_CHROMEDRIVER", driver.toString()),
            "test_swagger_ui.py");
    assertThat(output).contains("1 passed");
  }
}
