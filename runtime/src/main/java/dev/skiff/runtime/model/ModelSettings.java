package dev.skiff.runtime.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.skiff.runtime.tensor.Datatype;
import dev.skiff.runtime.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The contents of {@code <repo>/<model>/model.yaml}: what the model is called, which version
 * answers by default, and the tensor contract it is held to. Every key is documented in the README.
 *
 * @param name the model's name in API paths; defaults to its folder name
 * @param description free text, shown in metadata and the OpenAPI document
 * @param defaultVersion the version used when a request names none; defaults to the highest
 * @param format backend format ({@code onnx}); inferred from the model file name when absent
 * @param inputs declared inputs; when absent, the model file's own metadata is used
 * @param outputs declared outputs; when absent, the model file's own metadata is used
 * @param labels class names, index-aligned with the model's class outputs
 * @param batching dynamic batching settings (optional)
 */
public record ModelSettings(
    String name,
    String description,
    String defaultVersion,
    String format,
    List<TensorSettings> inputs,
    List<TensorSettings> outputs,
    List<String> labels,
    Batching batching) {

  @JsonCreator
  public ModelSettings(
      @JsonProperty("name") String name,
      @JsonProperty("description") String description,
      @JsonProperty("defaultVersion") String defaultVersion,
      @JsonProperty("format") String format,
      @JsonProperty("inputs") List<TensorSettings> inputs,
      @JsonProperty("outputs") List<TensorSettings> outputs,
      @JsonProperty("labels") List<String> labels,
      @JsonProperty("batching") Batching batching) {
    this.name = name;
    this.description = description;
    this.defaultVersion = defaultVersion;
    this.format = format;
    this.inputs = inputs == null ? List.of() : List.copyOf(inputs);
    this.outputs = outputs == null ? List.of() : List.copyOf(outputs);
    this.labels = labels == null ? List.of() : List.copyOf(labels);
    this.batching = batching;
  }

  /** One declared tensor as written in YAML; {@link #toSpec()} checks and converts it. */
  public record TensorSettings(
      @JsonProperty("name") String name,
      @JsonProperty("datatype") String datatype,
      @JsonProperty("shape") List<Long> shape) {

    TensorSpec toSpec(String where) {
      if (name == null || name.isBlank()) {
        throw new ModelLoadException(where + ": a tensor has no 'name'");
      }
      Datatype type =
          Datatype.fromName(datatype)
              .orElseThrow(
                  () ->
                      new ModelLoadException(
                          where
                              + ": tensor '"
                              + name
                              + "' has datatype '"
                              + datatype
                              + "'; expected one of "
                              + List.of(Datatype.values())));
      if (shape == null) {
        throw new ModelLoadException(where + ": tensor '" + name + "' has no 'shape'");
      }
      for (Long dim : shape) {
        if (dim == null || dim < -1) {
          throw new ModelLoadException(
              where + ": tensor '" + name + "' shape " + shape + " may hold only -1 or sizes >= 0");
        }
      }
      return TensorSpec.of(name, type, shape);
    }
  }

  /**
   * Dynamic batching: requests for the same version are joined up to {@code maxBatchSize} rows,
   * waiting at most {@code maxDelayMillis} for company.
   */
  public record Batching(
      @JsonProperty("maxBatchSize") Integer maxBatchSize,
      @JsonProperty("maxDelayMillis") Integer maxDelayMillis) {

    /** The longest a request waits for company; 0 (batch only what is queued) when unset. */
    public int delayMillis() {
      return maxDelayMillis == null ? 0 : maxDelayMillis;
    }

    /**
     * Batching joins requests along dimension 0, so every tensor must leave it open (-1).
     *
     * @throws ModelLoadException naming the setting or tensor that does not allow batching
     */
    void check(String where, List<TensorSpec> inputs, List<TensorSpec> outputs) {
      if (maxBatchSize == null || maxBatchSize < 1) {
        throw new ModelLoadException(
            where + ": batching.maxBatchSize must be an integer >= 1, found " + maxBatchSize);
      }
      if (maxDelayMillis != null && maxDelayMillis < 0) {
        throw new ModelLoadException(
            where + ": batching.maxDelayMillis must be >= 0, found " + maxDelayMillis);
      }
      List<String> fixed = new ArrayList<>();
      for (TensorSpec spec : inputs) {
        if (spec.rank() == 0 || spec.dim(0) != -1) {
          fixed.add("input " + spec);
        }
      }
      for (TensorSpec spec : outputs) {
        if (spec.rank() == 0 || spec.dim(0) != -1) {
          fixed.add("output " + spec);
        }
      }
      if (!fixed.isEmpty()) {
        throw new ModelLoadException(
            where
                + ": batching needs dimension 0 of every input and output to be -1 (the batch),"
                + " but "
                + String.join(", ", fixed)
                + " does not allow it; remove 'batching' or declare the batch dimension as -1");
      }
    }
  }

  static List<TensorSpec> toSpecs(List<TensorSettings> settings, String where) {
    List<TensorSpec> specs = new ArrayList<>();
    for (TensorSettings s : settings) {
      TensorSpec spec = s.toSpec(where);
      if (specs.stream().anyMatch(other -> other.name().equals(spec.name()))) {
        throw new ModelLoadException(where + ": tensor '" + spec.name() + "' is declared twice");
      }
      specs.add(spec);
    }
    return specs;
  }
}
