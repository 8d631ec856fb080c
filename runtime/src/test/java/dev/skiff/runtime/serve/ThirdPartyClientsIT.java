package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Runs Python's tritonclient and kserve clients (pytest, src/test/python) against a live runtime.
 * The virtualenv comes from hack/python-clients.sh via -Dskiff.python; where the Python index was
 * unreachable the property is empty and the test is skipped, saying so.
 */
class ThirdPartyClientsIT {

  @Test
  void tritonAndKserveClientsWorkUnchanged() throws Exception {
    String output = PytestRun.run(Duration.ofMinutes(5), "test_third_party_clients.py");
    assertThat(output).contains("13 passed");
  }
}
