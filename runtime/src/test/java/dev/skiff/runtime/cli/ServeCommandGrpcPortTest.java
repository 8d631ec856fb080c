package dev.skiff.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.runtime.serve.ServeOptions;
import org.junit.jupiter.api.Test;

class ServeCommandGrpcPortTest {

  @Test
  void aPortZeroOrOff() throws Exception {
    assertThat(ServeCommand.grpcPort("8081")).isEqualTo(8081);
    assertThat(ServeCommand.grpcPort("0")).isZero();
    assertThat(ServeCommand.grpcPort("off")).isEqualTo(ServeOptions.GRPC_OFF);
  }

  @Test
  void anythingElseIsAUsageErrorNamingTheOption() {
    for (String bad : new String[] {"-1", "65536", "8081x", "no"}) {
      assertThatThrownBy(() -> ServeCommand.grpcPort(bad))
          .isInstanceOf(UsageException.class)
          .hasMessage("--grpc-port must be a port (0..65535) or off, not '" + bad + "'");
    }
  }
}
