package dev.skiff.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.backend.BackendOptions;
import dev.skiff.runtime.execution.InferenceExecutor;
import dev.skiff.runtime.execution.Runners;
import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.model.ModelRepositoryControl.IndexEntry;
import dev.skiff.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository control on real example models copied into a temporary repository: state
 * transitions, a failed reload that keeps the old version, a request in flight across an unload,
 * the mode and the budget refusals, and the poller following the folder.
 */
class ModelRepositoryControlTest {
  private static final Path EXAMPLES = Path.of("../examples/models");

  @TempDir Path repo;
  private final InferenceExecutor executor = new InferenceExecutor(1, 8);
  private final List<String> operations = new ArrayList<>();
  private ModelRepository repository;

  @AfterEach
  void close() {
    if (repository != null) {
      repository.close();
    }
    executor.close();
  }

  private ModelRepositoryControl start(ModelControlMode mode, long budget, List<String> startup)
      throws IOException {
    repository = ModelRepository.open(repo, ModelRepository.discoverBackends());
    ModelRepositoryControl control =
        new ModelRepositoryControl(
            repository,
            mode,
            budget,
            BackendOptions.builder().build(),
            new Runners(executor, new RuntimeMetrics()),
            new ModelRepositoryControl.Events() {
              @Override
              public void versionLoaded(ModelVersion version, double seconds) {}

              @Override
              public void versionUnloaded(String model, String version) {}

              @Override
              public void operation(String operation, boolean succeeded) {
                operations.add(operation + (succeeded ? " ok" : " failed"));
              }
            });
    control.loadAtStart(startup);
    return control;
  }

  private void copyExample(String model) throws IOException {
    copyTree(EXAMPLES.resolve(model), repo.resolve(model));
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }

  private ServingVersion serving(String model) {
    return repository.model(model).orElseThrow().defaultVersion().serving().orElseThrow();
  }

  private static Map<String, Tensor> predict(ServingVersion version) throws Exception {
    ByteBuffer data = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    data.putFloat(5.1f).putFloat(3.5f).putFloat(1.4f).putFloat(0.2f).flip();
    return version
        .runner()
        .run(
            List.of(Tensor.ofBuffer("input", Datatype.FP32, new long[] {1, 4}, data)),
            Set.of("label"));
  }

  private static Optional<IndexEntry> entry(ModelRepositoryControl control, String model) {
    return control.index(false).stream().filter(e -> e.name().equals(model)).findFirst();
  }

  @Test
  void explicitModeLoadsOnlyWhatIsAskedAndUnloads() throws Exception {
    copyExample("iris");
    copyExample("digits");
    ModelRepositoryControl control = start(ModelControlMode.EXPLICIT, 0, List.of("iris"));

    assertThat(repository.model("digits")).isEmpty();
    assertThat(entry(control, "digits").orElseThrow().state()).isEqualTo("UNAVAILABLE");
    assertThat(entry(control, "iris").orElseThrow())
        .isEqualTo(new IndexEntry("iris", Optional.of("v1"), "READY", ""));
    assertThat(repository.isReady()).as("an unloaded model does not block readiness").isTrue();

    control.load("digits");
    assertThat(repository.model("digits").orElseThrow().isReady()).isTrue();
    assertThat(control.index(true)).extracting(IndexEntry::name).containsExactly("digits", "iris");

    control.unload("iris");
    assertThat(repository.model("iris")).isEmpty();
    assertThat(entry(control, "iris").orElseThrow())
        .isEqualTo(new IndexEntry("iris", Optional.of("v1"), "UNAVAILABLE", "unloaded"));
    assertThat(control.index(true)).extracting(IndexEntry::name).containsExactly("digits");
    assertThat(operations).containsExactly("load ok", "unload ok");
  }

  @Test
  void aFailedReloadKeepsTheServingVersionAndTheIndexSaysWhy() throws Exception {
    copyExample("iris");
    ModelRepositoryControl control = start(ModelControlMode.EXPLICIT, 0, List.of());
    ServingVersion before = serving("iris");
    Files.writeString(repo.resolve("iris/v1/model.onnx"), "not an onnx file");

    assertThatThrownBy(() -> control.load("iris"))
        .isInstanceOfSatisfying(
            RepositoryRefusal.class,
            e -> assertThat(e.kind()).isEqualTo(RepositoryRefusal.Kind.LOAD_FAILED))
        .hasMessageContaining("model 'iris' version 'v1'");

    assertThat(serving("iris")).isSameAs(before);
    assertThat(predict(before)).containsKey("label");
    IndexEntry row = entry(control, "iris").orElseThrow();
    assertThat(row.state()).isEqualTo("READY");
    assertThat(row.reason()).startsWith("still serving; the last load failed: model 'iris'");
    assertThat(repository.isReady()).isTrue();

    Files.copy(
        EXAMPLES.resolve("iris/v1/model.onnx"),
        repo.resolve("iris/v1/model.onnx"),
        StandardCopyOption.REPLACE_EXISTING);
    copyTree(EXAMPLES.resolve("iris/v1"), repo.resolve("iris/v2"));
    control.load("iris");
    assertThat(repository.model("iris").orElseThrow().versionNames()).containsExactly("v1", "v2");
    assertThat(entry(control, "iris").orElseThrow().reason()).isEmpty();
  }

  @Test
  void aFailedFirstLoadMakesTheServerNotReadyUntilUnloaded() throws Exception {
    copyExample("iris");
    ModelRepositoryControl control = start(ModelControlMode.EXPLICIT, 0, List.of("iris"));
    copyExample("digits");
    Files.writeString(repo.resolve("digits/v1/model.onnx"), "garbage");

    assertThatThrownBy(() -> control.load("digits")).isInstanceOf(RepositoryRefusal.class);
    assertThat(repository.isReady()).isFalse();
    assertThat(entry(control, "digits").orElseThrow().reason()).contains("model 'digits'");

    control.unload("digits");
    assertThat(repository.isReady()).isTrue();
  }

  @Test
  void aRequestInFlightFinishesOnTheUnloadedVersion() throws Exception {
    copyExample("iris");
    ModelRepositoryControl control = start(ModelControlMode.EXPLICIT, 0, List.of());
    ServingVersion held = serving("iris");
    assertThat(held.enter()).as("the request starts").isTrue();

    control.unload("iris");

    assertThat(held.enter()).as("no new request enters an unloaded version").isFalse();
    assertThat(held.running()).isEqualTo(1);
    assertThat(predict(held))
        .as("the session is still open for the request in flight")
        .containsKey("label");
    held.exit();
    assertThat(held.running()).isZero();
  }

  @Test
  void noneAndPollModesRefuseLoadAndUnloadNamingTheMode() throws Exception {
    copyExample("iris");
    ModelRepositoryControl none = start(ModelControlMode.NONE, 0, List.of());
    assertThatThrownBy(() -> none.load("iris"))
        .isInstanceOfSatisfying(
            RepositoryRefusal.class,
            e -> assertThat(e.kind()).isEqualTo(RepositoryRefusal.Kind.MODE))
        .hasMessageContaining("--model-control=none")
        .hasMessageContaining("--model-control=explicit");
    assertThatThrownBy(() -> none.unload("iris")).hasMessageContaining("--model-control=none");
    assertThat(serving("iris")).isNotNull();
    assertThat(none.index(false)).hasSize(1);
  }

  @Test
  void unknownModelsAreNamed() throws Exception {
    copyExample("iris");
    ModelRepositoryControl control = start(ModelControlMode.EXPLICIT, 0, List.of());
    assertThatThrownBy(() -> control.load("nope"))
        .isInstanceOfSatisfying(
            RepositoryRefusal.class,
            e -> assertThat(e.kind()).isEqualTo(RepositoryRefusal.Kind.UNKNOWN_MODEL))
        .hasMessageContaining("model 'nope' not found")
        .hasMessageContaining("[iris]");
    assertThatThrownBy(() -> control.unload("nope")).hasMessageContaining("model 'nope'");
  }

  @Test
  void theMemoryBudgetRefusesALoadThatDoesNotFit() throws Exception {
    copyExample("iris");
    copyExample("digits");
    long iris = Files.size(repo.resolve("iris/v1/model.onnx"));
    ModelRepositoryControl control = start(ModelControlMode.EXPLICIT, iris + 100, List.of("iris"));

    assertThatThrownBy(() -> control.load("digits"))
        .isInstanceOfSatisfying(
            RepositoryRefusal.class,
            e -> assertThat(e.kind()).isEqualTo(RepositoryRefusal.Kind.OVER_BUDGET))
        .hasMessageContaining("model 'digits' needs about")
        .hasMessageContaining("--model-memory-budget " + (iris + 100))
        .hasMessageContaining("[iris]");
    assertThat(repository.model("digits")).isEmpty();

    control.unload("iris");
    assertThatThrownBy(() -> control.load("digits"))
        .as("digits alone is larger than the budget")
        .hasMessageContaining("needs about");
  }

  @Test
  void thePollerLoadsChangedAndRemovedFoldersOnceTheyHoldStill() throws Exception {
    copyExample("iris");
    ModelRepositoryControl control = start(ModelControlMode.POLL, 0, List.of());
    RepositoryPoller poller = new RepositoryPoller(control, Duration.ofSeconds(1));

    copyExample("digits");
    poller.scan();
    assertThat(repository.model("digits")).as("not while it may still be copied").isEmpty();
    poller.scan();
    assertThat(repository.model("digits").orElseThrow().isReady()).isTrue();

    ServingVersion irisBefore = serving("iris");
    Path file = repo.resolve("iris/v1/model.onnx");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(60)));
    poller.scan();
    poller.scan();
    assertThat(serving("iris")).as("reloaded").isNotSameAs(irisBefore);
    assertThat(irisBefore.enter()).as("the replaced version is retired").isFalse();

    ServingVersion irisGood = serving("iris");
    Files.writeString(file, "corrupt");
    poller.scan();
    poller.scan();
    assertThat(serving("iris")).as("a corrupt file keeps the old version").isSameAs(irisGood);
    assertThat(entry(control, "iris").orElseThrow().reason()).contains("last load failed");

    try (Stream<Path> files = Files.walk(repo.resolve("digits"))) {
      files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
    }
    poller.scan();
    assertThat(repository.model("digits")).isEmpty();
    assertThat(entry(control, "digits").orElseThrow().reason())
        .isEqualTo("its folder was removed from the repository");
  }
}
