package dev.skiff.api.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContractYamlTest {

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void modelSettingsAreWrittenInRecordOrderWithoutAbsentKeys() throws Exception {
    ModelSettingsFile file =
        new ModelSettingsFile(
            "iris",
            null,
            "v1",
            ModelFormat.ONNX.value(),
            List.of(new TensorDeclaration("input", Datatype.FP32, List.of(-1L, 4L))),
            null,
            List.of("setosa"),
            new ModelSettingsFile.Batching(32, 5),
            null,
            null,
            null);
    String yaml = ContractYaml.write(file);
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
            labels:
            - setosa
            batching:
              maxBatchSize: 32
              maxDelayMillis: 5
            """);
    assertThat(ContractYaml.read(bytes(yaml), ModelSettingsFile.class)).isEqualTo(file);
  }

  @Test
  void routerConfigRoundTrips() throws Exception {
    RouterConfigFile file =
        new RouterConfigFile(
            "iris",
            List.of(
                new RouterConfigFile.Version("v1", "http://iris-v1.ns.svc:8080", 90),
                new RouterConfigFile.Version("v2", "http://iris-v2.ns.svc:8080", 10)),
            new RouterConfigFile.Mirror("v2", 5));
    assertThat(ContractYaml.read(bytes(ContractYaml.write(file)), RouterConfigFile.class))
        .isEqualTo(file);
  }

  @Test
  void readingIsStrict() {
    assertThatThrownBy(
            () -> ContractYaml.read(bytes("name: a\ncolour: red\n"), ModelSettingsFile.class))
        .isInstanceOf(UnrecognizedPropertyException.class)
        .hasMessageContaining("colour");
    assertThatThrownBy(
            () -> ContractYaml.read(bytes("model: a\nmodel: b\n"), RouterConfigFile.class))
        .isInstanceOf(JsonParseException.class)
        .hasMessageContaining("Duplicate field 'model'");
    assertThatThrownBy(
            () ->
                ContractYaml.read(
                    bytes("inputs: [{name: x, datatype: FP33, shape: [1]}]\n"),
                    ModelSettingsFile.class))
        .isInstanceOf(InvalidFormatException.class)
        .hasMessageContaining("FP33");
  }

  @Test
  void oversizedDeepOrAliasedFilesAreRefusedBeforeTheyCostAnything() {
    // 1 MiB: the ConfigMap cap, so nothing the operator writes is refused
    byte[] big = bytes("model: a\n# " + "x".repeat(1 << 20) + "\n");
    assertThatThrownBy(() -> ContractYaml.read(big, RouterConfigFile.class))
        .isInstanceOf(StreamConstraintsException.class)
        .hasMessageContaining(
            "the file is " + big.length + " bytes, over the limit of 1048576 bytes (1 MiB)");
    assertThatThrownBy(
            () ->
                ContractYaml.read(
                    bytes("labels: " + "[".repeat(33) + "]".repeat(33)), ModelSettingsFile.class))
        .isInstanceOf(StreamConstraintsException.class)
        .hasMessageContaining("nesting depth (33) exceeds the maximum allowed (32");
    assertThatThrownBy(
            () ->
                ContractYaml.read(
                    bytes("name: &n iris\ndescription: *n\n"), ModelSettingsFile.class))
        .isInstanceOf(JsonParseException.class)
        .hasMessageContaining(
            "YAML aliases are not supported: '*n' at line 2, column 14; write the value out");
  }

  @Test
  void anEmptyFileIsNull() throws Exception {
    assertThat(ContractYaml.read(bytes(""), ModelSettingsFile.class)).isNull();
    assertThat(ContractYaml.read(bytes("# nothing yet\n"), RouterConfigFile.class)).isNull();
  }
}
