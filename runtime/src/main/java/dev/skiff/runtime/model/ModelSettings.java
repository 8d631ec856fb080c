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
 * @param preprocess how an uploaded image becomes the model's input (optional; docs/images.md)
 * @param postprocess how the model's outputs become labels or boxes (optional; docs/images.md)
 * @param limits per-request limits beyond the server-wide ones (optional)
 */
public record ModelSettings(
    String name,
    String description,
    String defaultVersion,
    String format,
    List<TensorSettings> inputs,
    List<TensorSettings> outputs,
    List<String> labels,
    Batching batching,
    Preprocess preprocess,
    Postprocess postprocess,
    Limits limits) {

  @JsonCreator
  public ModelSettings(
      @JsonProperty("name") String name,
      @JsonProperty("description") String description,
      @JsonProperty("defaultVersion") String defaultVersion,
      @JsonProperty("format") String format,
      @JsonProperty("inputs") List<TensorSettings> inputs,
      @JsonProperty("outputs") List<TensorSettings> outputs,
      @JsonProperty("labels") List<String> labels,
      @JsonProperty("batching") Batching batching,
      @JsonProperty("preprocess") Preprocess preprocess,
      @JsonProperty("postprocess") Postprocess postprocess,
      @JsonProperty("limits") Limits limits) {
    this.name = name;
    this.description = description;
    this.defaultVersion = defaultVersion;
    this.format = format;
    this.inputs = inputs == null ? List.of() : List.copyOf(inputs);
    this.outputs = outputs == null ? List.of() : List.copyOf(outputs);
    this.labels = labels == null ? List.of() : List.copyOf(labels);
    this.batching = batching;
    this.preprocess = preprocess;
    this.postprocess = postprocess;
    this.limits = limits;
  }

  /**
   * Per-request limits of one model, on top of the server's payload limit.
   *
   * @param maxBatchSize the most rows (first dimension) one request may carry; larger gets 400
   */
  public record Limits(@JsonProperty("maxBatchSize") Integer maxBatchSize) {
    /** Checks the values once at load, so a typo stops the model rather than every request. */
    void check(String where) {
      if (maxBatchSize != null && maxBatchSize < 1) {
        throw new ModelLoadException(
            where + ": limits.maxBatchSize must be >= 1, not " + maxBatchSize);
      }
    }
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

  /**
   * How an encoded image (PNG, JPEG) becomes the model's input tensor; every key is described in
   * docs/images.md. Absent keys take the documented defaults.
   */
  public record Preprocess(
      @JsonProperty("input") String input,
      @JsonProperty("size") List<Integer> size,
      @JsonProperty("resize") String resize,
      @JsonProperty("channels") String channels,
      @JsonProperty("scale") Double scale,
      @JsonProperty("mean") List<Double> mean,
      @JsonProperty("std") List<Double> std,
      @JsonProperty("layout") String layout) {

    /** How the image is fitted to {@code size}. */
    public enum Resize {
      STRETCH,
      CENTER_CROP,
      LETTERBOX
    }

    /** Which channels the model takes, in order. */
    public enum Channels {
      RGB,
      BGR,
      GRAY;

      public int count() {
        return this == GRAY ? 1 : 3;
      }
    }

    /** How the pixels are laid out in the tensor. */
    public enum Layout {
      NCHW,
      NHWC,
      FLAT
    }

    public int height() {
      return size.get(0);
    }

    public int width() {
      return size.get(1);
    }

    public Resize resizeMode() {
      return choice(Resize.class, resize, Resize.STRETCH, "preprocess.resize");
    }

    public Channels channelOrder() {
      return choice(Channels.class, channels, Channels.RGB, "preprocess.channels");
    }

    public Layout tensorLayout() {
      return choice(Layout.class, layout, Layout.NCHW, "preprocess.layout");
    }

    public double scaleFactor() {
      return scale == null ? 1.0 : scale;
    }

    /** The mean to subtract from channel {@code c} (after scaling). */
    public double meanOf(int c) {
      return perChannel(mean, c, 0.0);
    }

    /** The divisor of channel {@code c} (after subtracting the mean). */
    public double stdOf(int c) {
      return perChannel(std, c, 1.0);
    }

    /** The shape of the tensor this produces: batch 1. */
    public long[] tensorShape() {
      int c = channelOrder().count();
      return switch (tensorLayout()) {
        case NCHW -> new long[] {1, c, height(), width()};
        case NHWC -> new long[] {1, height(), width(), c};
        case FLAT -> new long[] {1, (long) c * height() * width()};
      };
    }

    /** The model input this fills: the one named, or the model's only input. */
    public TensorSpec target(List<TensorSpec> inputs) {
      if (input == null) {
        return inputs.get(0);
      }
      return inputs.stream().filter(s -> s.name().equals(input)).findFirst().orElseThrow();
    }

    /**
     * Holds the settings to the loaded model's contract.
     *
     * @throws ModelLoadException naming the key that is wrong and why
     */
    void check(String where, List<TensorSpec> inputs) {
      String at = where + ": preprocess";
      if (size == null
          || size.size() != 2
          || size.stream().anyMatch(d -> d == null || d < 1 || d > 8192)) {
        throw new ModelLoadException(
            at + ".size must be [height, width], each 1..8192, found " + size);
      }
      try {
        resizeMode();
        channelOrder();
        tensorLayout();
      } catch (ModelLoadException e) {
        throw new ModelLoadException(where + ": " + e.getMessage());
      }
      checkChannels(at + ".mean", mean);
      checkChannels(at + ".std", std);
      if (std != null && std.stream().anyMatch(v -> v == null || v == 0.0)) {
        throw new ModelLoadException(at + ".std may not hold 0, found " + std);
      }
      if (inputs.size() != 1) {
        throw new ModelLoadException(
            at
                + " fills one input, but the model has "
                + inputs.size()
                + " inputs "
                + inputs.stream().map(TensorSpec::name).toList());
      }
      if (input != null && !inputs.get(0).name().equals(input)) {
        throw new ModelLoadException(
            at + ".input '" + input + "' is not the model's input '" + inputs.get(0).name() + "'");
      }
      TensorSpec spec = inputs.get(0);
      if (spec.datatype() != Datatype.FP32) {
        throw new ModelLoadException(
            at + " makes FP32 tensors, but input '" + spec.name() + "' is " + spec.datatype());
      }
      if (!spec.acceptsShape(tensorShape())) {
        throw new ModelLoadException(
            at
                + " makes "
                + tensorLayout()
                + " tensors of shape "
                + java.util.Arrays.toString(tensorShape())
                + ", which input "
                + spec
                + " does not accept; check size, channels and layout");
      }
    }

    private void checkChannels(String key, List<Double> values) {
      int c = channelOrder().count();
      if (values != null && values.size() != 1 && values.size() != c) {
        throw new ModelLoadException(
            key + " needs 1 or " + c + " values (one per channel), found " + values);
      }
    }

    private static double perChannel(List<Double> values, int c, double fallback) {
      if (values == null || values.isEmpty()) {
        return fallback;
      }
      return values.size() == 1 ? values.get(0) : values.get(c);
    }
  }

  /**
   * How the model's outputs become an answer: top-k labels or detected boxes (docs/images.md).
   * Absent keys take the documented defaults.
   */
  public record Postprocess(
      @JsonProperty("type") String type,
      @JsonProperty("output") String output,
      @JsonProperty("topK") Integer topK,
      @JsonProperty("format") String format,
      @JsonProperty("confidenceThreshold") Double confidenceThreshold,
      @JsonProperty("iouThreshold") Double iouThreshold,
      @JsonProperty("maxDetections") Integer maxDetections) {

    /** What the model answers. */
    public enum Type {
      CLASSIFICATION,
      DETECTION
    }

    public Type kind() {
      if (type == null) {
        throw new ModelLoadException("postprocess.type is required: classification or detection");
      }
      return choice(Type.class, type, null, "postprocess.type");
    }

    public int k() {
      return topK == null ? 5 : topK;
    }

    public double confidence() {
      return confidenceThreshold == null ? 0.25 : confidenceThreshold;
    }

    public double iou() {
      return iouThreshold == null ? 0.45 : iouThreshold;
    }

    public int maxBoxes() {
      return maxDetections == null ? 100 : maxDetections;
    }

    /**
     * The output read: the one named; else {@code probabilities} when the model has it; else the
     * model's only FP32 output.
     */
    public String outputName(List<TensorSpec> outputs) {
      if (output != null) {
        return output;
      }
      if (outputs.stream().anyMatch(s -> s.name().equals("probabilities"))) {
        return "probabilities";
      }
      List<TensorSpec> floats =
          outputs.stream().filter(s -> s.datatype() == Datatype.FP32).toList();
      return floats.size() == 1 ? floats.get(0).name() : null;
    }

    /**
     * Holds the settings to the loaded model's contract and labels.
     *
     * @throws ModelLoadException naming the key that is wrong and why
     */
    void check(String where, List<TensorSpec> outputs, List<String> labels) {
      String at = where + ": postprocess";
      Type kind;
      try {
        kind = kind();
      } catch (ModelLoadException e) {
        throw new ModelLoadException(where + ": " + e.getMessage());
      }
      String name = outputName(outputs);
      if (name == null) {
        throw new ModelLoadException(
            at
                + ".output is required: the model has "
                + outputs.stream().map(TensorSpec::name).toList());
      }
      TensorSpec spec =
          outputs.stream()
              .filter(s -> s.name().equals(name))
              .findFirst()
              .orElseThrow(
                  () ->
                      new ModelLoadException(
                          at
                              + ".output '"
                              + name
                              + "' is not an output of the model; it has "
                              + outputs.stream().map(TensorSpec::name).toList()));
      if (spec.datatype() != Datatype.FP32) {
        throw new ModelLoadException(
            at + " reads FP32 scores, but output '" + name + "' is " + spec.datatype());
      }
      long last = spec.rank() == 0 ? -1 : spec.dim(spec.rank() - 1);
      if (kind == Type.CLASSIFICATION) {
        if (spec.rank() != 2) {
          throw new ModelLoadException(
              at
                  + " (classification) needs output '"
                  + name
                  + "' as [batch, classes], not "
                  + spec);
        }
        if (topK != null && topK < 1) {
          throw new ModelLoadException(at + ".topK must be >= 1, found " + topK);
        }
        if (!labels.isEmpty() && last != -1 && last != labels.size()) {
          throw new ModelLoadException(
              at
                  + ": output "
                  + spec
                  + " has "
                  + last
                  + " classes but there are "
                  + labels.size()
                  + " labels");
        }
        return;
      }
      if (format != null && !format.equals("yolo")) {
        throw new ModelLoadException(at + ".format must be yolo, found '" + format + "'");
      }
      if (spec.rank() != 2 && spec.rank() != 3) {
        throw new ModelLoadException(
            at + " (detection) needs output '" + name + "' as [1, N, 5 + classes], not " + spec);
      }
      if (last != -1 && last < 6) {
        throw new ModelLoadException(
            at + ": output " + spec + " rows need 5 + classes >= 6 values");
      }
      if (!labels.isEmpty() && last != -1 && last != 5 + labels.size()) {
        throw new ModelLoadException(
            at
                + ": output "
                + spec
                + " has "
                + (last - 5)
                + " classes but there are "
                + labels.size()
                + " labels");
      }
      checkUnit(at + ".confidenceThreshold", confidence());
      checkUnit(at + ".iouThreshold", iou());
      if (maxBoxes() < 1) {
        throw new ModelLoadException(at + ".maxDetections must be >= 1, found " + maxDetections);
      }
    }

    private static void checkUnit(String key, double value) {
      if (!(value >= 0 && value <= 1)) {
        throw new ModelLoadException(key + " must be within 0..1, found " + value);
      }
    }
  }

  /** A lower-case, dash-separated enum value from model.yaml ({@code center-crop}). */
  private static <E extends Enum<E>> E choice(Class<E> type, String value, E fallback, String key) {
    if (value == null) {
      return fallback;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().replace('_', '-').equalsIgnoreCase(value)) {
        return e;
      }
    }
    throw new ModelLoadException(
        key
            + " must be one of "
            + java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().replace('_', '-').toLowerCase(java.util.Locale.ROOT))
                .toList()
            + ", found '"
            + value
            + "'");
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
