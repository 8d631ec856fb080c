package dev.skiff.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code --grpc-port} of serve and route, parsed by {@link ListenAddress}. */
class GrpcPortOptionTest {

  @Test
  void aPortZeroOrOff() throws Exception {
    assertThat(ListenAddress.grpcPort("8081")).hasValue(8081);
    assertThat(ListenAddress.grpcPort("0")).hasValue(0);
    assertThat(ListenAddress.grpcPort("off")).isEmpty();
  }

  @Test
  void anythingElseIsAUsageErrorNamingTheOption() {
    for (String bad : new String[] {"-1", "65536", "8081x", "no"}) {
      assertThatThrownBy(() -> ListenAddress.grpcPort(bad))
          .isInstanceOf(UsageException.class)
          .hasMessage("--grpc-port must be a port (0..65535) or off, not '" + bad + "'");
    }
  }
}
