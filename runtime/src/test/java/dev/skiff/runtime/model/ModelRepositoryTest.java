package dev.skiff.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRepositoryTest {
  static final Path TEST_MODELS = Paths.get("src/test/resources/models");
  static ModelRepository repository;

  @BeforeAll
  static void loadTestRepository() {
    repository = ModelRepository.open(TEST_MODELS, ModelRepository.discoverBackends());
    TestLoading.loadAll(repository);
  }

  @AfterAll
  static void close() {
    repository.close();
  }

  @Test
  void loadsGoodModelsAndStopsOnlyTheMismatchedOne() {
    assertThat(repository.model("add").orElseThrow().isReady()).isTrue();
    assertThat(repository.model("iris-zipmap").orElseThrow().isReady()).isTrue();
    ModelVersion mismatch = repository.model("mismatch").orElseThrow().defaultVersion();
    assertThat(mismatch.state()).isEqualTo(ModelVersion.State.FAILED);
    assertThat(mismatch.failure().orElseThrow())
        .contains("input 'input' is declared FP32 [-1, 5] but the model file has FP32 [-1, 4]");
    assertThat(repository.isReady()).isFalse();
  }

  @Test
  void refusesUnsignedInputsOnnxRuntimeJavaCannotFeed() {
    ModelVersion unsigned = repository.model("datatypes-unsigned").orElseThrow().defaultVersion();
    assertThat(unsigned.failure().orElseThrow())
        .contains("UINT16")
        .contains("cannot create tensors");
  }

  @Test
  void zipMapOutputIsPresentedAsAProbabilityTensor() {
    var contract =
        repository.model("iris-zipmap").orElseThrow().defaultVersion().serving().orElseThrow();
    assertThat(contract.outputs().get(1).toString()).isEqualTo("output_probability FP32 [-1, 3]");
  }

  @Test
  void missingOrEmptyRepositoryIsAClearError(@TempDir Path empty) {
    assertThatThrownBy(
            () -> ModelRepository.open(empty.resolve("nope"), ModelRepository.discoverBackends()))
        .hasMessageContaining("is not a directory");
    assertThatThrownBy(() -> ModelRepository.open(empty, ModelRepository.discoverBackends()))
        .hasMessageContaining("holds no models")
        .hasMessageContaining("<repo>/<model>/model.yaml");
  }

  @Test
  void brokenSettingsStopOnlyThatModel(@TempDir Path repo) throws IOException {
    Path typo = Files.createDirectories(repo.resolve("typo/v1"));
    Files.writeString(typo.getParent().resolve("model.yaml"), "name: typo\nimputs: []\n");
    Path noVersions = Files.createDirectories(repo.resolve("empty"));
    Files.writeString(noVersions.resolve("model.yaml"), "name: empty\n");
    Path badType = Files.createDirectories(repo.resolve("badtype/v1"));
    Files.writeString(
        badType.getParent().resolve("model.yaml"),
        "inputs: [{name: x, datatype: FLOAT, shape: [-1]}]\n");
    Path noFile = Files.createDirectories(repo.resolve("nofile/v1"));
    Files.writeString(noFile.getParent().resolve("model.yaml"), "name: nofile\n");
    Path badLimit = Files.createDirectories(repo.resolve("badlimit/v1"));
    Files.writeString(badLimit.getParent().resolve("model.yaml"), "limits: {maxBatchSize: 0}\n");
    ModelRepository broken = ModelRepository.open(repo, ModelRepository.discoverBackends());
    assertThat(broken.brokenModels().get("typo")).contains("unknown key 'imputs'");
    assertThat(broken.brokenModels().get("empty")).contains("has no version folders");
    assertThat(broken.brokenModels().get("badtype")).contains("datatype 'FLOAT'");
    assertThat(broken.brokenModels().get("badlimit"))
        .contains("limits.maxBatchSize must be >= 1, not 0");
    TestLoading.loadAll(broken);
    assertThat(broken.model("nofile").orElseThrow().defaultVersion().failure().orElseThrow())
        .contains("no model file")
        .contains(".onnx");
    broken.close();
  }

  @Test
  void oversizedOrAliasedSettingsStopOnlyThatModel(@TempDir Path repo) throws IOException {
    // the 1 MiB cap is ContractYaml.MAX_FILE_BYTES, spelled out so this also runs on older code
    int cap = 1 << 20;
    Path big = Files.createDirectories(repo.resolve("big/v1")).getParent();
    // one long line: the shape that kept the parser busy for a minute and a half at 20 MiB
    String bigYaml = "name: big\ndescription: " + "x".repeat(cap) + "\n";
    Files.writeString(big.resolve("model.yaml"), bigYaml);
    Path atCap = Files.createDirectories(repo.resolve("atcap/v1")).getParent();
    String atCapYaml = "name: atcap\ndescription: ";
    Files.writeString(
        atCap.resolve("model.yaml"), atCapYaml + "y".repeat(cap - atCapYaml.length() - 1) + "\n");
    Path laughs = Files.createDirectories(repo.resolve("laughs/v1")).getParent();
    StringBuilder billionLaughs = new StringBuilder("name: laughs\nlabels:\n");
    billionLaughs.append("  - &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i < 10; i++) {
      String previous = "*l" + (i - 1);
      billionLaughs
          .append("  - &l")
          .append(i)
          .append(" [")
          .append(String.join(", ", Collections.nCopies(9, previous)))
          .append("]\n");
    }
    Files.writeString(laughs.resolve("model.yaml"), billionLaughs.toString());
    Path alias = Files.createDirectories(repo.resolve("alias/v1")).getParent();
    // Jackson reads an alias as its anchor's name: these labels were [setosa, a] before
    Files.writeString(alias.resolve("model.yaml"), "name: alias\nlabels: [&a setosa, *a]\n");
    Path deep = Files.createDirectories(repo.resolve("deep/v1")).getParent();
    Files.writeString(
        deep.resolve("model.yaml"), "name: deep\nlabels: " + "[".repeat(100) + "]".repeat(100));

    ModelRepository broken = ModelRepository.open(repo, ModelRepository.discoverBackends());
    Path bigFile = big.resolve("model.yaml");
    assertThat(broken.brokenModels().get("big"))
        .isEqualTo(
            bigFile
                + " is "
                + Files.size(bigFile)
                + " bytes; model.yaml may be at most 1048576 bytes (1 MiB)");
    assertThat(broken.brokenModels()).doesNotContainKey("atcap");
    assertThat(broken.model("atcap").orElseThrow().settings().description())
        .hasSize(cap - atCapYaml.length() - 1);
    assertThat(broken.brokenModels().get("laughs"))
        .startsWith(laughs.resolve("model.yaml") + " is not valid model settings: ")
        .contains("YAML aliases are not supported: '*l0' at line 4");
    assertThat(broken.brokenModels().get("alias"))
        .contains(alias.resolve("model.yaml").toString())
        .contains("YAML aliases are not supported: '*a' at line 2");
    assertThat(broken.brokenModels().get("deep"))
        .contains(deep.resolve("model.yaml").toString())
        .contains("nesting depth");
    broken.close();
  }

  @Test
  void versionsOrderNumerically() {
    assertThat(Stream.of("v10", "v2", "v1").sorted(VersionOrder.INSTANCE))
        .containsExactly("v1", "v2", "v10");
  }
}
