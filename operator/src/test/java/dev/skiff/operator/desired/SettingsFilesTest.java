package dev.skiff.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.Fixtures;
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
        .contains("name: fashion-mnist")
        .contains("defaultVersion: v2")
        .doesNotContain("format:");
  }

  @Test
  void hashChangesWithContent() {
    assertThat(SettingsFiles.hash("a")).hasSize(16).isNotEqualTo(SettingsFiles.hash("b"));
  }
}
