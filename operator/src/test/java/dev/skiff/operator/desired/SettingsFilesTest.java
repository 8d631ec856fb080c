package dev.skiff.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.contract.Datatype;
import dev.skiff.api.contract.ImageChoices;
import dev.skiff.api.contract.ModelSettingsFile;
import dev.skiff.api.contract.TensorDeclaration;
import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class SettingsFilesTest {

  @Test
  void rendersRuntimeModelYaml() {
    ModelDeployment md = Fixtures.example("iris.yaml");
    String yaml = SettingsFiles.render(md, md.getSpec().getVersions().getFirst());
    assertThat(yaml)
        .isEqualTo(
            """
            name: iris
            defaultVersion: v1
            format: onnx
            inputs:
            - name: input
              datatype: FP32
              shape:
              - -1
              - 4
            outputs:
            - name: label
              datatype: INT64
              shape:
              - -1
            - name: probabilities
              datatype: FP32
              shape:
              - -1
              - 3
            labels:
            - setosa
            - versicolor
            - virginica
            batching:
              maxBatchSize: 32
              maxDelayMillis: 5
            """);
  }

  @Test
  void eachVersionNamesItselfDefault() {
    ModelDeployment md = Fixtures.example("fashion-canary.yaml");
    var data = SettingsFiles.configMap(md).getData();
    assertThat(data).containsOnlyKeys("v1.model.yaml", "v2.model.yaml");
    assertThat(data.get("v2.model.yaml"))
        .contains("name: digits-tabular")
        .contains("defaultVersion: v2")
        .doesNotContain("format:");
  }

  @Test
  void everyDatatypeFormatAndTheBatchingDefaultsAreWritten() {
    ModelDeployment md = Fixtures.file("every-datatype.yaml");
    ModelSettingsFile v2 = SettingsFiles.of(md, md.getSpec().getVersions().get(1));
    assertThat(v2.name()).isEqualTo("kitchen-sink");
    assertThat(v2.defaultVersion()).isEqualTo("v2");
    assertThat(v2.format()).isEqualTo("dl4j");
    assertThat(v2.inputs())
        .extracting(TensorDeclaration::datatype)
        .containsExactly(Datatype.values());
    assertThat(v2.batching()).isEqualTo(new ModelSettingsFile.Batching(1, 0));
    assertThat(SettingsFiles.render(md, md.getSpec().getVersions().get(1)))
        .contains("- name: u16\n  datatype: UINT16\n  shape:\n  - -1\n  - 2\n")
        .contains("batching:\n  maxBatchSize: 1\n  maxDelayMillis: 0\n");
  }

  @Test
  void imageSettingsAreWrittenInTheRuntimesWordsWithAbsentKeysLeftOut() {
    ModelDeployment md = Fixtures.example("digits.yaml");
    assertThat(SettingsFiles.render(md, md.getSpec().getVersions().getFirst()))
        .endsWith(
            """
            preprocess:
              size:
              - 8
              - 8
              channels: gray
              scale: 0.06274509803921569
              layout: flat
            postprocess:
              type: classification
              output: probabilities
              topK: 3
            """);
    ModelDeployment shapes = Fixtures.example("shapes.yaml");
    assertThat(SettingsFiles.of(shapes, shapes.getSpec().getVersions().getFirst()).postprocess())
        .isEqualTo(
            new ModelSettingsFile.Postprocess(
                "detection", "detections", null, "yolo", 0.35, 0.45, 10, null));
  }

  @Test
  void textSettingsAreWrittenInTheRuntimesWordsWithAbsentKeysLeftOut() {
    ModelDeployment md = Fixtures.example("sentiment.yaml");
    assertThat(SettingsFiles.render(md, md.getSpec().getVersions().getFirst()))
        .contains(
            """
            preprocess:
              type: text
              tokenizer: tokenizer.json
              maxLength: 128
              truncation: true
            postprocess:
            """);
    md.getSpec().getSchema().getPreprocess().setPadding(ImageChoices.Padding.MAX_LENGTH);
    md.getSpec().getSchema().getPreprocess().setTruncation(false);
    assertThat(SettingsFiles.of(md, md.getSpec().getVersions().getFirst()).preprocess())
        .isEqualTo(
            new ModelSettingsFile.Preprocess(
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                "text",
                "tokenizer.json",
                128,
                false,
                "max-length"));
  }

  @Test
  void aVersionsSchemaReplacesTheKeysItSetsAndKeepsTheOthers() {
    ModelDeployment md = Fixtures.file("image-version-schema.yaml");
    ModelSettingsFile v1 = SettingsFiles.of(md, md.getSpec().getVersions().get(0));
    ModelSettingsFile v2 = SettingsFiles.of(md, md.getSpec().getVersions().get(1));

    assertThat(v1.preprocess())
        .isEqualTo(
            new ModelSettingsFile.Preprocess(
                "images",
                List.of(160, 160),
                "center-crop",
                null,
                0.00392156862745098,
                List.of(0.485, 0.456, 0.406),
                List.of(0.229, 0.224, 0.225),
                null));
    assertThat(v1.inputs())
        .extracting(TensorDeclaration::shape)
        .containsExactly(List.of(-1L, 3L, 160L, 160L));
    // v2's preprocess replaces v1's whole: no center-crop, scale or mean carried over
    assertThat(v2.preprocess())
        .isEqualTo(
            new ModelSettingsFile.Preprocess(
                "images", List.of(224, 224), "letterbox", "bgr", null, null, List.of(0.5), "NHWC"));
    assertThat(v2.inputs())
        .extracting(TensorDeclaration::shape)
        .containsExactly(List.of(-1L, 224L, 224L, 3L));
    assertThat(v2.outputs()).isEqualTo(v1.outputs());
    assertThat(v2.labels()).containsExactly("cat", "dog", "bird");
    assertThat(v2.postprocess())
        .isEqualTo(
            new ModelSettingsFile.Postprocess(
                "classification", "logits_softmax", 2, null, null, null, null, null))
        .isEqualTo(v1.postprocess());
    assertThat(v2.limits()).isEqualTo(new ModelSettingsFile.Limits(8)).isEqualTo(v1.limits());
  }

  @Test
  void hashChangesWithContent() {
    assertThat(SettingsFiles.hash("a")).hasSize(16).isNotEqualTo(SettingsFiles.hash("b"));
  }
}
