package dev.skiff.runtime.model;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.backend.BackendOptions;
import dev.skiff.runtime.backend.BackendProvider;
import dev.skiff.runtime.backend.DeclaredTensors;
import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.backend.ModelSession;
import dev.skiff.runtime.execution.BatchPadding;
import dev.skiff.runtime.execution.Runners;
import dev.skiff.runtime.execution.VersionRunner;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.tensor.TensorSpec;
import dev.skiff.runtime.text.TextTokenizer;
import dev.skiff.runtime.text.Tokens;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns one version folder into a {@link ServingVersion}: finds the model file and its backend,
 * loads it with model.yaml's declared tensors, holds the file to the declared contract, checks the
 * batching and image settings against the effective tensors, makes the version's runner and warms
 * it up. Every check happens here, once, so a version that is ready can answer.
 */
final class VersionLoader {
  private final List<BackendProvider> backends;
  private final BackendOptions options;
  private final Runners runners;

  VersionLoader(List<BackendProvider> backends, BackendOptions options, Runners runners) {
    this.backends = backends;
    this.options = options;
    this.runners = runners;
  }

  /**
   * @param start when loading began ({@link System#nanoTime()}), for the load time
   * @throws ModelLoadException naming the version and what stops it
   */
  ServingVersion load(ServedModel model, ModelVersion version, long start) {
    String where = "model '" + model.name() + "' version '" + version.name() + "'";
    ModelSettings settings = model.settings();
    Path file = findModelFile(model, version, where);
    BackendProvider backend = backendFor(file, where);
    ModelSession session;
    try {
      session =
          backend.load(file, options, new DeclaredTensors(settings.inputs(), settings.outputs()));
    } catch (ModelLoadException e) {
      // a backend names the file, not the version; the status and the log need both
      throw new ModelLoadException(where + ": " + e.getMessage(), e);
    }
    Optional<TextTokenizer> tokenizer = Optional.empty();
    try {
      List<TensorSpec> inputs =
          SchemaCheck.effective(where, "input", settings.inputs(), session.inputs());
      List<TensorSpec> outputs =
          SchemaCheck.effective(where, "output", settings.outputs(), session.outputs());
      settings.batching().ifPresent(b -> b.checkContract(where, inputs, outputs));
      settings.image().checkContract(where, inputs, outputs, settings.labels());
      if (settings.text().isPresent()) {
        settings.text().get().checkContract(where, inputs);
        tokenizer = Optional.of(loadTokenizer(settings.text().get(), inputs, version, where));
      }
      BatchPadding padding = tokenizer.map(t -> tokenPadding(t, inputs)).orElse(BatchPadding.NONE);
      warmUp(session, inputs, outputs, where);
      VersionRunner runner =
          settings
              .batching()
              .map(
                  b ->
                      runners.batched(
                          model.name(),
                          version.name(),
                          session,
                          b.maxBatchSize(),
                          b.maxDelayMillis(),
                          padding))
              .orElseGet(() -> runners.direct(model.name(), version.name(), session));
      return new ServingVersion(
          model.name(),
          version.name(),
          settings,
          backend.format(),
          inputs,
          outputs,
          session,
          runner,
          tokenizer,
          (System.nanoTime() - start) / 1e9,
          new InFlight());
    } catch (RuntimeException e) {
      session.close();
      tokenizer.ifPresent(TextTokenizer::close);
      throw e;
    }
  }

  /**
   * How a batch joins token tensors of different lengths: each dynamic (-1) token dimension padded
   * with the tokenizer's pad id ({@code input_ids}) or 0 (mask, token types). Only for a model that
   * takes an {@code attention_mask}, which tells it the padding is none of the text; without one,
   * padding would change its answer, so requests of different lengths do not join.
   */
  private static BatchPadding tokenPadding(TextTokenizer tokenizer, List<TensorSpec> inputs) {
    if (inputs.stream().noneMatch(spec -> spec.name().equals(Tokens.ATTENTION_MASK))) {
      return BatchPadding.NONE;
    }
    Map<String, Long> padValues = new HashMap<>();
    for (TensorSpec spec : inputs) {
      if (spec.rank() == 2 && spec.dim(1) == -1) {
        padValues.put(spec.name(), spec.name().equals(Tokens.INPUT_IDS) ? tokenizer.padId() : 0L);
      }
    }
    return new BatchPadding(padValues);
  }

  /** The tokenizer file named by {@code preprocess.tokenizer}, from the version folder. */
  private static TextTokenizer loadTokenizer(
      TextSettings text, List<TensorSpec> inputs, ModelVersion version, String where) {
    Path file = version.directory().resolve(text.tokenizer());
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException(
          where
              + ": preprocess.tokenizer: no file "
              + text.tokenizer()
              + " in "
              + version.directory());
    }
    try {
      return TextTokenizer.load(
          file,
          text.maxLength(),
          text.truncation(),
          text.padsToMaxLength(inputs),
          text.maxTextBytes());
    } catch (IOException e) {
      throw new ModelLoadException(where + ": preprocess.tokenizer: " + e.getMessage(), e);
    }
  }

  private Path findModelFile(ServedModel model, ModelVersion version, String where) {
    List<Path> candidates;
    try (Stream<Path> list = Files.list(version.directory())) {
      candidates =
          list.filter(Files::isRegularFile)
              .filter(f -> suffixBackend(f).isPresent())
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new ModelLoadException(where + ": cannot list " + version.directory() + ": " + e, e);
    }
    if (model.settings().format() != null) {
      candidates =
          candidates.stream()
              .filter(
                  f -> suffixBackend(f).orElseThrow().format().equals(model.settings().format()))
              .toList();
    }
    if (candidates.isEmpty()) {
      throw new ModelLoadException(
          where
              + ": no model file in "
              + version.directory()
              + "; expected one ending in "
              + backends.stream().flatMap(b -> b.fileSuffixes().stream()).toList());
    }
    if (candidates.size() > 1) {
      throw new ModelLoadException(
          where
              + ": more than one model file in "
              + version.directory()
              + ": "
              + candidates.stream().map(p -> p.getFileName().toString()).toList());
    }
    return candidates.get(0);
  }

  private BackendProvider backendFor(Path file, String where) {
    return suffixBackend(file)
        .orElseThrow(() -> new ModelLoadException(where + ": no backend loads " + file));
  }

  private Optional<BackendProvider> suffixBackend(Path file) {
    String fileName = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return backends.stream()
        .filter(b -> b.fileSuffixes().stream().anyMatch(fileName::endsWith))
        .findFirst();
  }

  /**
   * One inference on zeros (every open dimension set to 1) so the first client request does not pay
   * for lazy initialisation, and so a model that cannot run is caught before it is ready.
   */
  private static void warmUp(
      ModelSession session, List<TensorSpec> inputs, List<TensorSpec> outputs, String where) {
    List<Tensor> zeros = new ArrayList<>();
    for (TensorSpec spec : inputs) {
      long[] shape = spec.shape();
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shape[i] < 0 ? 1 : shape[i];
      }
      int count = Math.toIntExact(Tensor.elementCount(shape));
      if (spec.datatype() == Datatype.BYTES) {
        byte[][] empty = new byte[count][];
        Arrays.fill(empty, new byte[0]);
        zeros.add(Tensor.ofStrings(spec.name(), shape, empty));
      } else {
        ByteBuffer buffer =
            ByteBuffer.allocateDirect(count * spec.datatype().byteSize())
                .order(ByteOrder.nativeOrder());
        zeros.add(Tensor.ofBuffer(spec.name(), spec.datatype(), shape, buffer));
      }
    }
    Set<String> outputNames = outputs.stream().map(TensorSpec::name).collect(Collectors.toSet());
    try {
      session.run(zeros, outputNames);
    } catch (Exception e) {
      throw new ModelLoadException(where + ": warm-up inference failed: " + e.getMessage(), e);
    }
  }
}
