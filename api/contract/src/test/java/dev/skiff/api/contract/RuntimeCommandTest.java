package dev.skiff.api.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RuntimeCommandTest {

  @Test
  void buildsEachModesArguments() {
    assertThat(RuntimeCommand.serve("/models").port(8080).authTokensFile("/t/tokens").args())
        .containsExactly("serve", "/models", "--port", "8080", "--auth-tokens-file", "/t/tokens");
    assertThat(RuntimeCommand.fetch("pvc://claim/iris.onnx", "/models/iris/v1").sha256("ab").args())
        .containsExactly("fetch", "pvc://claim/iris.onnx", "/models/iris/v1", "--sha256", "ab");
    assertThat(RuntimeCommand.route("/etc/router.yaml").port(9000).args())
        .containsExactly("route", "--config", "/etc/router.yaml", "--port", "9000");
  }

  @Test
  void pvcUrisSplitIntoClaimAndPath() {
    assertThat(PvcUri.parse("pvc://models/iris/v1/model.onnx"))
        .contains(new PvcUri("models", "iris/v1/model.onnx"));
    assertThat(PvcUri.parse("pvc://models")).contains(new PvcUri("models", ""));
    assertThat(PvcUri.parse("s3://bucket/key")).isEmpty();
  }

  @Test
  void layoutAndDevicesSpellTheirNames() {
    assertThat(RepositoryLayout.settingsFile("/models", "iris"))
        .isEqualTo("/models/iris/model.yaml");
    assertThat(RepositoryLayout.versionDirectory("/models", "iris", "v1"))
        .isEqualTo("/models/iris/v1");
    assertThat(Device.fromValue("gpu")).contains(Device.GPU);
    assertThat(Device.fromValue("GPU")).isEmpty();
    assertThat(ModelFormat.KERAS.value()).isEqualTo("keras");
  }
}
