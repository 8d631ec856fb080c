package dev.skiff.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.contract.Datatype;
import dev.skiff.api.contract.ModelSettingsFile;
import dev.skiff.api.contract.TensorDeclaration;
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
  void hashChangesWithContent() {
    assertThat(SettingsFiles.hash("a")).hasSize(16).isNotEqualTo(SettingsFiles.hash("b"));
  }
}
