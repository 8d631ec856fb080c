package dev.skiff.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.runtime.tensor.Datatype;
import dev.skiff.runtime.tensor.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSettingsTest {
  @TempDir Path dir;

  private ModelSettings read(String yaml) throws Exception {
    Path file = dir.resolve("model.yaml");
    Files.writeString(file, yaml);
    return ModelRepository.readSettings(file);
  }

  @Test
  void theDigitsSettingsFitTheDigitsModel() throws Exception {
    ModelSettings settings =
        ModelRepository.readSettings(Path.of("../examples/models/digits/model.yaml"));
    List<TensorSpec> inputs = List.of(TensorSpec.of("input", Datatype.FP32, List.of(-1L, 64L)));
    List<TensorSpec> outputs =
        List.of(
            TensorSpec.of("label", Datatype.INT64, List.of(-1L)),
            TensorSpec.of("probabilities", Datatype.FP32, List.of(-1L, 10L)));
    settings.preprocess().check("model 'digits'", inputs);
    settings.postprocess().check("model 'digits'", outputs, settings.labels());
    assertThat(settings.preprocess().tensorShape()).containsExactly(1, 64);
  }

  @Test
  void unknownKeysAndBadValuesAreNamed() throws Exception {
    assertThatThrownBy(() -> read("preprocess: {size: [8, 8], colours: gray}\n"))
        .hasMessageContaining("unknown key 'colours'");
    List<TensorSpec> nchw =
        List.of(TensorSpec.of("x", Datatype.FP32, List.of(-1L, 3L, 224L, 224L)));
    assertThatThrownBy(
            () ->
                read("preprocess: {size: [224, 224], resize: squash}\n")
                    .preprocess()
                    .check("m", nchw))
        .hasMessageContaining("preprocess.resize must be one of [stretch, center-crop, letterbox]");
    assertThatThrownBy(() -> read("preprocess: {size: [416, 416]}\n").preprocess().check("m", nchw))
        .hasMessageContaining(
            "[1, 3, 416, 416], which input x FP32 [-1, 3, 224, 224] does not accept");
    assertThatThrownBy(
            () ->
                read("preprocess: {size: [224, 224], mean: [1, 2]}\n")
                    .preprocess()
                    .check("m", nchw))
        .hasMessageContaining("needs 1 or 3 values");
    List<TensorSpec> yolo = List.of(TensorSpec.of("boxes", Datatype.FP32, List.of(1L, -1L, 8L)));
    read("postprocess: {type: detection, output: boxes}\n")
        .postprocess()
        .check("m", yolo, List.of("circle", "square", "triangle"));
    assertThatThrownBy(
            () ->
                read("postprocess: {type: detection, output: boxes}\n")
                    .postprocess()
                    .check("m", yolo, List.of("circle")))
        .hasMessageContaining("has 3 classes but there are 1 labels");
  }
}
