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
  void serveTakesTheServerOptionsInTheOrderGiven() {
    assertThat(
            RuntimeCommand.serve("/models")
                .inferenceThreads(2)
                .intraOpThreads(1)
                .queueSize(128)
                .maxPayloadBytes(3_000_000_000L)
                .maxImagePixels(4_000_000)
                .args())
        .containsExactly(
            "serve",
            "/models",
            "--inference-threads",
            "2",
            "--intra-op-threads",
            "1",
            "--queue-size",
            "128",
            "--max-payload-bytes",
            "3000000000",
            "--max-image-pixels",
            "4000000");
  }

  @Test
  void imageChoicesSpellTheWordsOfModelYaml() {
    assertThat(ImageChoices.Resize.CENTER_CROP.value()).isEqualTo("center-crop");
    assertThat(ImageChoices.Layout.NCHW.value()).isEqualTo("NCHW");
    assertThat(ImageChoices.Layout.FLAT.value()).isEqualTo("flat");
    assertThat(ImageChoices.PostprocessType.DETECTION.value()).isEqualTo("detection");
    assertThat(ImageChoices.DetectionFormat.YOLO.value()).isEqualTo("yolo");
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
