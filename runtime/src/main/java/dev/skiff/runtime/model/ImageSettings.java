package dev.skiff.runtime.model;

import dev.skiff.api.contract.Datatype;
import dev.skiff.api.contract.ModelSettingsFile;
import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.tensor.TensorSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How images become a model's input and its outputs an answer (model.yaml's {@code preprocess} and
 * {@code postprocess}, docs/images.md), with every default applied and every value checked when the
 * repository is opened; {@link #checkContract} holds them to the loaded model's tensors.
 *
 * @param preprocess image to input tensor, when the model takes images
 * @param postprocess outputs to labels or boxes, when the model answers them
 */
public record ImageSettings(Optional<Preprocess> preprocess, Optional<Postprocess> postprocess) {

  public static final ImageSettings NONE = new ImageSettings(Optional.empty(), Optional.empty());

  /** Checks and converts the file's sections; {@code where} names the model in messages. */
  static ImageSettings from(
      ModelSettingsFile.Preprocess pre, ModelSettingsFile.Postprocess post, String where) {
    return new ImageSettings(
        pre == null ? Optional.empty() : Optional.of(Preprocess.from(pre, where)),
        post == null ? Optional.empty() : Optional.of(Postprocess.from(post, where)));
  }

  /**
   * Holds the settings to the loaded model's tensors and labels.
   *
   * @throws ModelLoadException naming the key that does not fit and why
   */
  void checkContract(
      String where, List<TensorSpec> inputs, List<TensorSpec> outputs, List<String> labels) {
    preprocess.ifPresent(p -> p.checkContract(where, inputs));
    postprocess.ifPresent(p -> p.checkContract(where, outputs, labels));
  }

  /** How the image is fitted to the input's size. */
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

  /** What the model answers. */
  public enum Kind {
    CLASSIFICATION,
    DETECTION
  }

  /** A detector's output format (docs/images.md). */
  public enum DetectionFormat {
    /** Decoded rows {@code [1, N, 5 + C]}. */
    YOLO,
    /** TinyYOLOv2's raw region grid {@code [1, A * (5 + C), S, S]}. */
    YOLOV2
  }

  /**
   * TinyYOLOv2 VOC's anchors (darknet's tiny-yolo-voc.cfg), in grid cells: the {@code yolov2}
   * default, so the published model needs no {@code anchors} key.
   */
  public static final List<Double> TINY_YOLOV2_VOC_ANCHORS =
      List.of(1.08, 1.19, 3.42, 4.41, 6.63, 11.38, 9.42, 5.11, 16.62, 10.52);

  /**
   * Image to tensor: fit to {@code height x width}, pick the channels, then {@code (pixel * scale -
   * mean) / std} in the layout the model takes.
   *
   * @param input the model input to fill, or null for the model's only input
   * @param mean one value, or one per channel (empty: 0)
   * @param std one value, or one per channel (empty: 1)
   */
  public record Preprocess(
      String input,
      int height,
      int width,
      Resize resize,
      Channels channels,
      double scale,
      List<Double> mean,
      List<Double> std,
      Layout layout) {

    public Preprocess {
      mean = List.copyOf(mean);
      std = List.copyOf(std);
    }

    /**
     * Checks and converts model.yaml's {@code preprocess}.
     *
     * @throws ModelLoadException naming the key that is wrong and why
     */
    public static Preprocess from(ModelSettingsFile.Preprocess file, String where) {
      String at = where + ": preprocess";
      if (file.tokenizer() != null
          || file.maxLength() != null
          || file.truncation() != null
          || file.padding() != null) {
        throw new ModelLoadException(
            at
                + ": tokenizer, maxLength, truncation and padding are text keys; add type: text"
                + " (docs/text.md)");
      }
      List<Integer> size = file.size();
      if (size == null
          || size.size() != 2
          || size.stream().anyMatch(d -> d == null || d < 1 || d > 8192)) {
        throw new ModelLoadException(
            at + ".size must be [height, width], each 1..8192, found " + size);
      }
      Resize resize = choice(Resize.class, file.resize(), Resize.STRETCH, where, "resize");
      Channels channels = choice(Channels.class, file.channels(), Channels.RGB, where, "channels");
      Layout layout = choice(Layout.class, file.layout(), Layout.NCHW, where, "layout");
      List<Double> mean = perChannel(at + ".mean", file.mean(), channels);
      List<Double> std = perChannel(at + ".std", file.std(), channels);
      if (std.stream().anyMatch(v -> v == 0.0)) {
        throw new ModelLoadException(at + ".std may not hold 0, found " + file.std());
      }
      return new Preprocess(
          file.input(),
          size.get(0),
          size.get(1),
          resize,
          channels,
          file.scale() == null ? 1.0 : file.scale(),
          mean,
          std,
          layout);
    }

    private static List<Double> perChannel(String key, List<Double> values, Channels channels) {
      if (values == null) {
        return List.of();
      }
      int c = channels.count();
      if (values.size() != 1 && values.size() != c) {
        throw new ModelLoadException(
            key + " needs 1 or " + c + " values (one per channel), found " + values);
      }
      if (values.stream().anyMatch(Objects::isNull)) {
        throw new ModelLoadException(key + " may not hold null, found " + values);
      }
      return values;
    }

    /** The mean to subtract from channel {@code c} (after scaling). */
    public double meanOf(int c) {
      return pick(mean, c, 0.0);
    }

    /** The divisor of channel {@code c} (after subtracting the mean). */
    public double stdOf(int c) {
      return pick(std, c, 1.0);
    }

    private static double pick(List<Double> values, int c, double fallback) {
      if (values.isEmpty()) {
        return fallback;
      }
      return values.size() == 1 ? values.get(0) : values.get(c);
    }

    /** The shape of the tensor this produces: batch 1. */
    public long[] tensorShape() {
      int c = channels.count();
      return switch (layout) {
        case NCHW -> new long[] {1, c, height, width};
        case NHWC -> new long[] {1, height, width, c};
        case FLAT -> new long[] {1, (long) c * height * width};
      };
    }

    /** The model input this fills: the one named, or the model's only input. */
    public TensorSpec target(List<TensorSpec> inputs) {
      if (input == null) {
        return inputs.get(0);
      }
      return inputs.stream().filter(s -> s.name().equals(input)).findFirst().orElseThrow();
    }

    void checkContract(String where, List<TensorSpec> inputs) {
      String at = where + ": preprocess";
      if (inputs.size() != 1) {
        throw new ModelLoadException(
            at
                + " fills one input, but the model has "
                + inputs.size()
                + " inputs "
                + inputs.stream().map(TensorSpec::name).toList());
      }
      TensorSpec spec = inputs.get(0);
      if (input != null && !spec.name().equals(input)) {
        throw new ModelLoadException(
            at + ".input '" + input + "' is not the model's input '" + spec.name() + "'");
      }
      if (spec.datatype() != Datatype.FP32) {
        throw new ModelLoadException(
            at + " makes FP32 tensors, but input '" + spec.name() + "' is " + spec.datatype());
      }
      if (!spec.acceptsShape(tensorShape())) {
        throw new ModelLoadException(
            at
                + " makes "
                + layout
                + " tensors of shape "
                + Arrays.toString(tensorShape())
                + ", which input "
                + spec
                + " does not accept; check size, channels and layout");
      }
    }
  }

  /**
   * Outputs to an answer: top-k labels for a classifier, boxes for a YOLO-style detector.
   *
   * @param output the output read, or null to pick it from the model's outputs
   * @param anchors {@code yolov2}: anchor widths and heights in grid cells, in pairs; else empty
   */
  public record Postprocess(
      Kind kind,
      String output,
      int topK,
      DetectionFormat format,
      double confidenceThreshold,
      double iouThreshold,
      int maxDetections,
      List<Double> anchors) {

    public Postprocess {
      anchors = List.copyOf(anchors);
    }

    /** {@code yolov2}: how many anchor boxes each grid cell predicts. */
    public int anchorCount() {
      return anchors.size() / 2;
    }

    /**
     * Checks and converts model.yaml's {@code postprocess}.
     *
     * @throws ModelLoadException naming the key that is wrong and why
     */
    public static Postprocess from(ModelSettingsFile.Postprocess file, String where) {
      String at = where + ": postprocess";
      if (file.type() == null) {
        throw new ModelLoadException(
            where + ": postprocess.type is required: classification or detection");
      }
      Kind kind = choice(Kind.class, file.type(), null, where, "type");
      if (kind == Kind.CLASSIFICATION && file.topK() != null && file.topK() < 1) {
        throw new ModelLoadException(at + ".topK must be >= 1, found " + file.topK());
      }
      DetectionFormat format =
          choice(DetectionFormat.class, file.format(), DetectionFormat.YOLO, where, "format");
      List<Double> anchors = anchors(file.anchors(), format, at);
      double confidence = file.confidenceThreshold() == null ? 0.25 : file.confidenceThreshold();
      double iou = file.iouThreshold() == null ? 0.45 : file.iouThreshold();
      int maxDetections = file.maxDetections() == null ? 100 : file.maxDetections();
      if (kind == Kind.DETECTION) {
        unit(at + ".confidenceThreshold", confidence);
        unit(at + ".iouThreshold", iou);
        if (maxDetections < 1) {
          throw new ModelLoadException(
              at + ".maxDetections must be >= 1, found " + file.maxDetections());
        }
      }
      return new Postprocess(
          kind,
          file.output(),
          file.topK() == null ? 5 : file.topK(),
          format,
          confidence,
          iou,
          maxDetections,
          anchors);
    }

    /** {@code yolov2}'s anchors (TinyYOLOv2 VOC's by default); none for {@code yolo}. */
    private static List<Double> anchors(List<Double> given, DetectionFormat format, String at) {
      if (format != DetectionFormat.YOLOV2) {
        if (given != null) {
          throw new ModelLoadException(at + ".anchors applies only to format yolov2");
        }
        return List.of();
      }
      if (given == null) {
        return TINY_YOLOV2_VOC_ANCHORS;
      }
      if (given.isEmpty() || given.size() % 2 != 0 || given.size() > 200) {
        throw new ModelLoadException(
            at
                + ".anchors must be pairs of width, height (2 to 200 numbers), found "
                + given.size()
                + " numbers");
      }
      for (Double a : given) {
        if (a == null || !(a > 0 && a <= 1000)) {
          throw new ModelLoadException(
              at + ".anchors must each be above 0 and at most 1000 grid cells, found " + a);
        }
      }
      return given;
    }

    private static void unit(String key, double value) {
      if (!(value >= 0 && value <= 1)) {
        throw new ModelLoadException(key + " must be within 0..1, found " + value);
      }
    }

    /**
     * The output read: the one named; else {@code probabilities} when the model has it; else the
     * model's only FP32 output; null when none of these applies.
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

    void checkContract(String where, List<TensorSpec> outputs, List<String> labels) {
      String at = where + ": postprocess";
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
      if (kind == Kind.CLASSIFICATION) {
        if (spec.rank() != 2) {
          throw new ModelLoadException(
              at
                  + " (classification) needs output '"
                  + name
                  + "' as [batch, classes], not "
                  + spec);
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
      if (format == DetectionFormat.YOLOV2) {
        checkRegionGrid(at, spec, anchorCount(), labels);
        return;
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
    }
  }

  /**
   * {@code yolov2}: the output is one image's region grid {@code [1, A * (5 + C), S, S]} for the
   * configured anchors and labels ({@code -1} dimensions accept anything).
   */
  private static void checkRegionGrid(
      String at, TensorSpec spec, int anchors, List<String> labels) {
    if (spec.rank() != 4 || spec.dim(0) > 1) {
      throw new ModelLoadException(
          at
              + " (format yolov2) needs output '"
              + spec.name()
              + "' as [1, anchors x (5 + classes), S, S], not "
              + spec);
    }
    long channels = spec.dim(1);
    if (channels == -1) {
      return;
    }
    if (channels % anchors != 0 || channels / anchors < 6) {
      throw new ModelLoadException(
          at
              + ": output "
              + spec
              + " has "
              + channels
              + " channels, not "
              + anchors
              + " anchors x (5 + classes >= 1): check postprocess.anchors ("
              + anchors
              + " pairs)");
    }
    long classes = channels / anchors - 5;
    if (!labels.isEmpty() && classes != labels.size()) {
      throw new ModelLoadException(
          at
              + ": output "
              + spec
              + " has "
              + classes
              + " classes per anchor ("
              + anchors
              + " anchors) but there are "
              + labels.size()
              + " labels");
    }
  }

  /**
   * A lower-case, dash-separated enum value from model.yaml ({@code center-crop}), matched without
   * regard to case; {@code fallback} when absent.
   */
  private static <E extends Enum<E>> E choice(
      Class<E> type, String value, E fallback, String where, String key) {
    if (value == null) {
      return fallback;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().replace('_', '-').equalsIgnoreCase(value)) {
        return e;
      }
    }
    throw new ModelLoadException(
        where
            + ": "
            + (type == Kind.class || type == DetectionFormat.class ? "postprocess." : "preprocess.")
            + key
            + " must be one of "
            + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().replace('_', '-').toLowerCase(Locale.ROOT))
                .toList()
            + ", found '"
            + value
            + "'");
  }
}
