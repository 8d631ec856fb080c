package dev.skiff.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.tensor.TensorSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
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

  @Test
  void yolov2SettingsDefaultToTinyYolov2VocsAnchorsAndNameWhatIsWrong() {
    ImageSettings.Postprocess post =
        read("postprocess: {type: detection, format: yolov2}\n")
            .image()
            .postprocess()
            .orElseThrow();
    assertThat(post.format()).isEqualTo(ImageSettings.DetectionFormat.YOLOV2);
    assertThat(post.anchors()).isEqualTo(ImageSettings.TINY_YOLOV2_VOC_ANCHORS);
    assertThat(post.anchorCount()).isEqualTo(5);
    assertThat(
            read("postprocess: {type: detection, format: YOLOv2, anchors: [1, 2]}\n")
                .image()
                .postprocess()
                .orElseThrow()
                .anchorCount())
        .isEqualTo(1);
    assertThatThrownBy(() -> read("postprocess: {type: detection, format: yolov3}\n"))
        .hasMessage("model 'm': postprocess.format must be one of [yolo, yolov2], found 'yolov3'");
    assertThatThrownBy(() -> read("postprocess: {type: detection, anchors: [1, 2]}\n"))
        .hasMessage("model 'm': postprocess.anchors applies only to format yolov2");
    assertThatThrownBy(
            () -> read("postprocess: {type: detection, format: yolov2, anchors: [1, 2, 3]}\n"))
        .hasMessageContaining("anchors must be pairs of width, height (2 to 200 numbers), found 3");
    assertThatThrownBy(
            () -> read("postprocess: {type: detection, format: yolov2, anchors: [1, 0]}\n"))
        .hasMessageContaining("above 0 and at most 1000 grid cells, found 0.0");
  }

  @Test
  void aYolov2GridMustFitTheAnchorsAndLabels() {
    String yaml = "postprocess: {type: detection, format: yolov2}\n";
    List<String> voc = Collections.nCopies(20, "c");
    List<TensorSpec> grid =
        List.of(TensorSpec.of("grid", Datatype.FP32, List.of(1L, 125L, 13L, 13L)));
    read(yaml).image().checkContract("m", List.of(), grid, voc);
    assertThatThrownBy(() -> read(yaml).image().checkContract("m", List.of(), grid, List.of("c")))
        .hasMessageContaining("has 20 classes per anchor (5 anchors) but there are 1 labels");
    List<TensorSpec> rows = List.of(TensorSpec.of("grid", Datatype.FP32, List.of(1L, 845L, 25L)));
    assertThatThrownBy(() -> read(yaml).image().checkContract("m", List.of(), rows, voc))
        .hasMessageContaining(
            "(format yolov2) needs output 'grid' as [1, anchors x (5 + classes), S, S]");
    List<TensorSpec> odd =
        List.of(TensorSpec.of("grid", Datatype.FP32, List.of(1L, 126L, 13L, 13L)));
    assertThatThrownBy(() -> read(yaml).image().checkContract("m", List.of(), odd, voc))
        .hasMessageContaining("has 126 channels, not 5 anchors x (5 + classes >= 1)");
  }
}
