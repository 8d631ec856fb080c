package dev.skiff.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.tensor.TensorSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageSettingsTest {

  /** model.yaml text through the repository's reader and checks, as a folder named {@code m}. */
  private static ModelSettings read(String yaml) {
    return ModelSettings.from(
        SettingsReader.parse(yaml.getBytes(StandardCharsets.UTF_8), "m/model.yaml"), "m");
  }

  @Test
  void theDigitsSettingsFitTheDigitsModel() {
    ModelSettings settings =
        ModelSettings.from(
            SettingsReader.read(Path.of("../examples/models/digits/model.yaml")), "digits");
    List<TensorSpec> inputs = List.of(TensorSpec.of("input", Datatype.FP32, List.of(-1L, 64L)));
    List<TensorSpec> outputs =
        List.of(
            TensorSpec.of("label", Datatype.INT64, List.of(-1L)),
            TensorSpec.of("probabilities", Datatype.FP32, List.of(-1L, 10L)));
    settings.image().checkContract("model 'digits'", inputs, outputs, settings.labels());
    assertThat(settings.image().preprocess().orElseThrow().tensorShape()).containsExactly(1, 64);
    assertThat(settings.image().postprocess().orElseThrow().outputName(outputs))
        .isEqualTo("probabilities");
  }

  @Test
  void unknownKeysAndBadValuesAreNamedWhenTheFileIsRead() {
    assertThatThrownBy(() -> read("preprocess: {size: [8, 8], colours: gray}\n"))
        .hasMessageContaining("unknown key 'colours'");
    assertThatThrownBy(() -> read("preprocess: {size: [224, 224], resize: squash}\n"))
        .hasMessage(
            "model 'm': preprocess.resize must be one of [stretch, center-crop, letterbox],"
                + " found 'squash'");
    assertThatThrownBy(() -> read("preprocess: {size: [224, 224], mean: [1, 2]}\n"))
        .hasMessageContaining("needs 1 or 3 values");
    assertThatThrownBy(() -> read("preprocess: {size: [0, 224]}\n"))
        .hasMessageContaining("preprocess.size must be [height, width], each 1..8192");
    assertThatThrownBy(() -> read("postprocess: {output: scores}\n"))
        .hasMessageContaining("postprocess.type is required");
    assertThatThrownBy(() -> read("postprocess: {type: detection, iouThreshold: 2}\n"))
        .hasMessageContaining("postprocess.iouThreshold must be within 0..1, found 2.0");
    assertThat(read("preprocess: {size: [2, 2], layout: NHWC, channels: GRAY}\n").image())
        .satisfies(
            image ->
                assertThat(image.preprocess().orElseThrow().tensorShape())
                    .containsExactly(1, 2, 2, 1));
  }

  @Test
  void settingsThatDoNotFitTheModelAreNamedWhenItIsLoaded() {
    List<TensorSpec> nchw =
        List.of(TensorSpec.of("x", Datatype.FP32, List.of(-1L, 3L, 224L, 224L)));
    assertThatThrownBy(
            () ->
                read("preprocess: {size: [416, 416]}\n")
                    .image()
                    .checkContract("m", nchw, List.of(), List.of()))
        .hasMessageContaining(
            "[1, 3, 416, 416], which input x FP32 [-1, 3, 224, 224] does not accept");
    List<TensorSpec> yolo = List.of(TensorSpec.of("boxes", Datatype.FP32, List.of(1L, -1L, 8L)));
    read("postprocess: {type: detection, output: boxes}\n")
        .image()
        .checkContract("m", List.of(), yolo, List.of("circle", "square", "triangle"));
    assertThatThrownBy(
            () ->
                read("postprocess: {type: detection, output: boxes}\n")
                    .image()
                    .checkContract("m", List.of(), yolo, List.of("circle")))
        .hasMessageContaining("has 3 classes but there are 1 labels");
  }
}
