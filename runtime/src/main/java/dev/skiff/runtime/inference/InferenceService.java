package dev.skiff.runtime.inference;

import dev.skiff.runtime.execution.DynamicBatcher;
import dev.skiff.runtime.execution.InferenceExecutor;
import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.model.ModelRepository;
import dev.skiff.runtime.model.ModelSettings;
import dev.skiff.runtime.model.ModelVersion;
import dev.skiff.runtime.model.ServedModel;
import dev.skiff.runtime.protocol.InferenceRequest;
import dev.skiff.runtime.protocol.InferenceResponse;
import dev.skiff.runtime.protocol.RequestedOutput;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.tensor.TensorSpec;
import dev.skiff.runtime.web.ApiException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Answers inference requests whatever protocol they came in: finds the version, holds the request
 * to the version's contract, runs it on the {@link InferenceExecutor} (through the version's {@link
 * DynamicBatcher} when its model.yaml enables batching) and records the timings.
 */
public final class InferenceService {
  private static final Logger LOG = Logger.getLogger(InferenceService.class.getName());

  private final ModelRepository repository;
  private final InferenceExecutor executor;
  private final RuntimeMetrics metrics;
  private final InferenceHooks hooks;
  private final Map<ModelVersion, DynamicBatcher> batchers = new ConcurrentHashMap<>();

  public InferenceService(
      ModelRepository repository, InferenceExecutor executor, RuntimeMetrics metrics) {
    this(repository, executor, metrics, InferenceHooks.NONE);
  }

  public InferenceService(
      ModelRepository repository,
      InferenceExecutor executor,
      RuntimeMetrics metrics,
      InferenceHooks hooks) {
    this.repository = repository;
    this.executor = executor;
    this.metrics = metrics;
    this.hooks = hooks;
  }

  public ModelRepository repository() {
    return repository;
  }

  /**
   * Finds a model version; {@code version} null means the model's default.
   *
   * @throws ApiException 404 for an unknown model or version
   */
  public ModelVersion resolve(String model, String version) {
    ServedModel served =
        repository
            .model(model)
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "model '"
                            + model
                            + "' not found; this server has "
                            + repository.models().stream().map(ServedModel::name).toList()));
    if (version == null) {
      return served.defaultVersion();
    }
    return served
        .version(version)
        .orElseThrow(
            () ->
                ApiException.notFound(
                    "model '"
                        + model
                        + "' has no version '"
                        + version
                        + "'; it has "
                        + served.versionNames()));
  }

  /** The contract of a ready version. @throws ApiException 503 while loading or after failure */
  public static ModelVersion.Loaded readyContract(ModelVersion version) {
    return version
        .loaded()
        .filter(l -> version.isReady())
        .orElseThrow(
            () ->
                ApiException.unavailable(
                    "model '"
                        + version.modelName()
                        + "' version '"
                        + version.name()
                        + "' is not ready"
                        + version.failure().map(f -> ": " + f).orElse(" (still loading)")));
  }

  /** Validates and runs one request against a resolved version. */
  public InferenceResponse infer(ModelVersion version, InferenceRequest request, String id)
      throws Exception {
    ModelVersion.Loaded contract = readyContract(version);
    List<Tensor> inputs =
        checkInputs(contract.inputs(), hooks.convertInputs(version, contract, request.inputs()));
    checkLimits(version, inputs);
    Set<String> outputs = selectOutputs(contract.outputs(), request.outputs());
    DynamicBatcher batcher = batcher(version, contract);
    metrics.inflight(version.modelName(), version.name(), 1);
    try {
      Map<String, Tensor> results =
          batcher != null
              ? batcher.run(inputs, outputs)
              : runAlone(version, contract, inputs, outputs);
      List<Tensor> ordered = new ArrayList<>(outputs.size());
      for (String name : outputs) {
        Tensor tensor = results.get(name);
        if (tensor == null) {
          throw ApiException.internal("the model did not produce output '" + name + "'");
        }
        ordered.add(tensor);
      }
      InferenceResponse response =
          new InferenceResponse(version.modelName(), version.name(), id, null, ordered);
      hooks.answered(version, contract, response);
      return response;
    } catch (ApiException e) {
      throw e;
    } catch (Exception e) {
      // The request passed validation, so this is the model's or the runtime's fault.
      LOG.log(Level.WARNING, "inference failed for model '" + version.modelName() + "'", e);
      throw ApiException.internal(
          "model '" + version.modelName() + "' failed to run: " + e.getMessage());
    } finally {
      metrics.inflight(version.modelName(), version.name(), -1);
    }
  }

  private Map<String, Tensor> runAlone(
      ModelVersion version, ModelVersion.Loaded contract, List<Tensor> inputs, Set<String> outputs)
      throws Exception {
    long submitted = System.nanoTime();
    return executor.execute(
        () -> {
          long started = System.nanoTime();
          metrics.queueDepth(executor.queued());
          Map<String, Tensor> out = contract.session().run(inputs, outputs);
          metrics.inferenceFinished(
              version.modelName(),
              version.name(),
              (started - submitted) / 1e9,
              (System.nanoTime() - started) / 1e9);
          return out;
        });
  }

  /** The version's batcher when its model enables batching (checked at load time), else null. */
  private DynamicBatcher batcher(ModelVersion version, ModelVersion.Loaded contract) {
    ModelSettings.Batching batching =
        repository
            .model(version.modelName())
            .map(model -> model.settings().batching())
            .orElse(null);
    if (batching == null) {
      return null;
    }
    return batchers.computeIfAbsent(
        version,
        v ->
            new DynamicBatcher(
                v.modelName(),
                v.name(),
                contract.session(),
                batching.maxBatchSize(),
                batching.delayMillis(),
                executor.queueCapacity(),
                executor,
                metrics));
  }

  /** The model's own per-request limits from model.yaml ({@code limits}). */
  private void checkLimits(ModelVersion version, List<Tensor> inputs) {
    ModelSettings.Limits limits =
        repository.model(version.modelName()).map(m -> m.settings().limits()).orElse(null);
    if (limits == null || limits.maxBatchSize() == null) {
      return;
    }
    for (Tensor tensor : inputs) {
      if (tensor.rank() > 0 && tensor.dim(0) > limits.maxBatchSize()) {
        throw ApiException.badRequest(
            "input '"
                + tensor.name()
                + "' has "
                + tensor.dim(0)
                + " rows; model '"
                + version.modelName()
                + "' accepts at most "
                + limits.maxBatchSize()
                + " per request (limits.maxBatchSize)");
      }
    }
  }

  /** Every declared input present once, with its datatype and a shape the contract accepts. */
  static List<Tensor> checkInputs(List<TensorSpec> specs, List<Tensor> given) {
    List<Tensor> ordered = new ArrayList<>(specs.size());
    for (TensorSpec spec : specs) {
      Tensor tensor = null;
      for (Tensor t : given) {
        if (t.name().equals(spec.name())) {
          tensor = t;
          break;
        }
      }
      if (tensor == null) {
        throw ApiException.badRequest(
            "missing input '" + spec.name() + "'; the model expects " + names(specs));
      }
      if (tensor.datatype() != spec.datatype()) {
        throw ApiException.badRequest(
            "input '"
                + spec.name()
                + "' has datatype "
                + tensor.datatype()
                + " but the model expects "
                + spec.datatype());
      }
      if (!spec.acceptsShape(tensor.shape())) {
        throw ApiException.badRequest(
            "input '"
                + spec.name()
                + "' has shape "
                + java.util.Arrays.toString(tensor.shape())
                + " but the model expects "
                + spec.shapeText()
                + " (-1 is any size)");
      }
      ordered.add(tensor);
    }
    if (given.size() != specs.size()) {
      for (Tensor t : given) {
        if (specs.stream().noneMatch(s -> s.name().equals(t.name()))) {
          throw ApiException.badRequest(
              "unknown input '" + t.name() + "'; the model expects " + names(specs));
        }
      }
    }
    return ordered;
  }

  private static Set<String> selectOutputs(List<TensorSpec> specs, List<RequestedOutput> wanted) {
    Set<String> names = new LinkedHashSet<>();
    if (wanted.isEmpty()) {
      specs.forEach(s -> names.add(s.name()));
      return names;
    }
    for (RequestedOutput output : wanted) {
      if (specs.stream().noneMatch(s -> s.name().equals(output.name()))) {
        throw ApiException.badRequest(
            "unknown output '" + output.name() + "'; the model has " + names(specs));
      }
      names.add(output.name());
    }
    return names;
  }

  private static List<String> names(List<TensorSpec> specs) {
    return specs.stream().map(TensorSpec::name).toList();
  }
}
