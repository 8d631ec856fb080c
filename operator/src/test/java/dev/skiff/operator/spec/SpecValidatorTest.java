package dev.skiff.operator.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.operator.Fixtures;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {

  @Test
  void examplesAreValid() {
    assertThat(SpecValidator.validate(Fixtures.example("iris.yaml"))).isEmpty();
    assertThat(SpecValidator.validate(Fixtures.example("fashion-canary.yaml"))).isEmpty();
  }

  @Test
  void childNamesLongerThan63AreRejected() {
    String name = "m".repeat(40);
    var md =
        Fixtures.md(
            """
            apiVersion: skiff.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: %s}
            spec:
              versions: [{name: %s, uri: "https://x/m.onnx"}]
            """
                .formatted(name, "v".repeat(30)));
    assertThat(SpecValidator.validate(md))
        .hasValueSatisfying(m -> assertThat(m).contains("longer than 63 characters"));
  }

  @Test
  void nameThatCannotNameAServiceIsRejected() {
    var md =
        Fixtures.md(
            """
            apiVersion: skiff.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: 1st.model}
            spec:
              versions: [{name: v1, uri: "https://x/m.onnx"}]
            """);
    assertThat(SpecValidator.validate(md))
        .hasValueSatisfying(m -> assertThat(m).contains("DNS-1035"));
  }

  @Test
  void gpuResourceOnCpuVersionIsRejected() {
    var md =
        Fixtures.md(
            """
            apiVersion: skiff.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: m}
            spec:
              versions:
                - {name: v1, uri: "https://x/m.onnx", resources: {limits: {nvidia.com/gpu: 1}}}
            """);
    assertThat(SpecValidator.validate(md))
        .hasValueSatisfying(m -> assertThat(m).contains("device is cpu"));
  }
}
