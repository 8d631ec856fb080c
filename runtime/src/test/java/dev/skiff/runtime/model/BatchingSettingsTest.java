package dev.skiff.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batching settings are checked when the repository is opened, and against the model's tensors when
 * it is loaded (with the real ONNX backend).
 */
class BatchingSettingsTest {
  private static final Path ADD_MODEL = Path.of("src/test/resources/models/add/v1/model.onnx");

  /** The add test model (a, b FP32 [-1, 3]) with the given batching and declared dimension 0. */
  private static ModelRepository open(Path repo, String batching, String firstDim)
      throws IOException {
    Path version = Files.createDirectories(repo.resolve("add/v1"));
    Files.copy(ADD_MODEL, version.resolve("model.onnx"));
    String tensors = "{name: %s, datatype: FP32, shape: [" + firstDim + ", 3]}";
    Files.writeString(
        repo.resolve("add/model.yaml"),
        "inputs: ["
            + tensors.formatted("a")
            + ", "
            + tensors.formatted("b")
            + "]\noutputs: ["
            + tensors.formatted("sum")
            + ", "
            + tensors.formatted("product")
            + "]\nbatching: "
            + batching
            + "\n");
    return ModelRepository.open(repo, ModelRepository.discoverBackends());
  }

  private static ModelVersion load(Path repo, String batching, String firstDim) throws IOException {
    ModelRepository repository = open(repo, batching, firstDim);
    TestLoading.loadAll(repository);
    ModelVersion loaded = repository.model("add").orElseThrow().defaultVersion();
    repository.close();
    return loaded;
  }

  @Test
  void batchingOnAnOpenBatchDimensionLoads(@TempDir Path repo) throws IOException {
    ModelVersion version = load(repo, "{maxBatchSize: 8, maxDelayMillis: 2}", "-1");
    assertThat(version.failure()).isEmpty();
    assertThat(version.isReady()).isTrue();
  }

  @Test
  void batchingOnAFixedFirstDimensionStopsTheModel(@TempDir Path repo) throws IOException {
    ModelVersion version = load(repo, "{maxBatchSize: 8}", "2");
    assertThat(version.state()).isEqualTo(ModelVersion.State.FAILED);
    assertThat(version.failure().orElseThrow())
        .contains("model 'add' version 'v1': batching needs dimension 0 of every input and output")
        .contains("input a FP32 [2, 3]")
        .contains("output product FP32 [2, 3]");
  }

  /** Values out of range are refused with the rest of model.yaml, before any loading. */
  @Test
  void batchingSettingsOutOfRangeStopTheModel(@TempDir Path repo) throws IOException {
    assertThat(refusal(repo.resolve("zero"), "{maxBatchSize: 0}"))
        .isEqualTo("model 'add': batching.maxBatchSize must be an integer >= 1, found 0");
    assertThat(refusal(repo.resolve("missing"), "{maxDelayMillis: 1}"))
        .isEqualTo("model 'add': batching.maxBatchSize must be an integer >= 1, found null");
    assertThat(refusal(repo.resolve("negative"), "{maxBatchSize: 4, maxDelayMillis: -1}"))
        .isEqualTo("model 'add': batching.maxDelayMillis must be >= 0, found -1");
  }

  private static String refusal(Path repo, String batching) throws IOException {
    ModelRepository repository = open(repo, batching, "-1");
    assertThat(repository.model("add")).isEmpty();
    return repository.brokenModels().get("add");
  }
}
