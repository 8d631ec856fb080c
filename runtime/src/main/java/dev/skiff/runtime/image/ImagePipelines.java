package dev.skiff.runtime.image;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.model.ImageSettings.DetectionFormat;
import dev.skiff.runtime.model.ImageSettings.Kind;
import dev.skiff.runtime.model.ImageSettings.Postprocess;
import dev.skiff.runtime.model.ImageSettings.Preprocess;
import dev.skiff.runtime.model.ImageSettings.Resize;
import dev.skiff.runtime.model.ServingVersion;
import dev.skiff.runtime.protocol.InferenceResponse;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.web.ApiException;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The image side of every model with {@code preprocess}/{@code postprocess} in its model.yaml:
 * encoded image bytes to the model's input tensor, and the model's outputs to labels or boxes. It
 * also lets a V2 request send the image itself: an input of datatype BYTES and shape [1] under the
 * model input's name holds the encoded file (raw with the binary extension, base64 in JSON) and is
 * replaced by the preprocessed tensor before validation ({@link #convert}).
 */
public final class ImagePipelines {
  private final ImageDecoder decoder;

  public ImagePipelines(ImageDecoder decoder) {
    this.decoder = decoder;
  }

  /**
   * A request's inputs after image conversion, and where the image sat in the model input.
   *
   * @param placement null when no image was converted
   */
  public record Converted(List<Tensor> inputs, Placement placement) {}

  /**
   * Decodes and preprocesses an uploaded image for {@code version}.
   *
   * @throws ApiException 400 when the model takes no images, else as {@link ImageDecoder#decode}
   */
  public Preprocessor.Result preprocess(ServingVersion version, byte[] image) {
    Preprocess pre =
        version
            .settings()
            .image()
            .preprocess()
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        "model '"
                            + version.model()
                            + "' takes no images: its model.yaml has no 'preprocess'"
                            + " (docs/images.md)"));
    String input = pre.target(version.inputs()).name();
    return new Preprocessor(pre, input).apply(decoder.decode(image));
  }

  /**
   * Labels or boxes from the model's outputs, when the model has {@code postprocess}.
   *
   * @param placement where the image sat in the model input; null maps boxes to the model input
   */
  public Optional<Answer> postprocess(
      ServingVersion version, InferenceResponse response, Placement placement) {
    Optional<Postprocess> configured = version.settings().image().postprocess();
    if (configured.isEmpty()) {
      return Optional.empty();
    }
    Postprocess post = configured.get();
    List<String> labels = version.settings().labels();
    String name = post.outputName(version.outputs());
    Tensor output =
        response.outputs().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    if (output == null || output.datatype() != Datatype.FP32 || output.rank() < 2) {
      return Optional.empty(); // the client selected other outputs
    }
    float[] values = floats(output);
    if (post.kind() == Kind.DETECTION) {
      return Optional.of(Answer.detection(detect(version, post, output, values, placement)));
    }
    int rowLength = (int) output.dim(output.rank() - 1);
    float[] first = Arrays.copyOf(values, Math.min(rowLength, values.length));
    return Optional.of(Answer.classification(TopK.of(first, post.topK(), labels)));
  }

  /** Boxes in pixels of the uploaded image (of the model input when {@code placement} is null). */
  private static List<Box> detect(
      ServingVersion version,
      Postprocess post,
      Tensor output,
      float[] values,
      Placement placement) {
    Placement where = placement;
    if (where == null) {
      Optional<Preprocess> pre = version.settings().image().preprocess();
      int w = pre.map(Preprocess::width).orElse(1);
      int h = pre.map(Preprocess::height).orElse(1);
      where = Placement.of(Resize.STRETCH, w, h, w, h);
    }
    YoloDetections yolo =
        new YoloDetections(
            post.confidenceThreshold(),
            post.iouThreshold(),
            post.maxDetections(),
            version.settings().labels());
    if (post.format() == DetectionFormat.YOLOV2) {
      Yolov2Regions regions = new Yolov2Regions(post.anchors());
      int channels = (int) output.dim(1);
      float[] rows = regions.rows(values, channels, (int) output.dim(2), (int) output.dim(3));
      return yolo.decode(rows, regions.rowLength(channels), where);
    }
    int rowLength = (int) output.dim(output.rank() - 1);
    // Batch 1: the first image's rows only.
    long rows = output.rank() == 3 ? output.dim(1) : output.dim(0);
    float[] first = Arrays.copyOf(values, (int) Math.min(values.length, rows * rowLength));
    return yolo.decode(first, rowLength, where);
  }

  private static float[] floats(Tensor tensor) {
    FloatBuffer buffer = tensor.data().asFloatBuffer();
    float[] values = new float[buffer.remaining()];
    buffer.get(values);
    return values;
  }

  /**
   * The inputs to validate: a V2 request's one BYTES input under the preprocessed input's name is
   * decoded and preprocessed; anything else is returned as it is (validation names what is wrong).
   */
  public Converted convert(ServingVersion version, List<Tensor> inputs) {
    Optional<Preprocess> pre = version.settings().image().preprocess();
    if (pre.isEmpty() || inputs.size() != 1 || inputs.get(0).datatype() != Datatype.BYTES) {
      return new Converted(inputs, null);
    }
    Tensor given = inputs.get(0);
    String input = pre.get().target(version.inputs()).name();
    if (!given.name().equals(input)) {
      return new Converted(inputs, null);
    }
    if (given.elementCount() != 1) {
      throw ApiException.badRequest(
          "input '"
              + input
              + "' as BYTES carries one encoded image: shape [1], not "
              + Arrays.toString(given.shape()));
    }
    Preprocessor.Result result = preprocess(version, imageBytes(input, given.strings()[0]));
    return new Converted(List.of(result.tensor()), result.placement());
  }

  /** Raw bytes when they start with a PNG or JPEG signature, else base64 (JSON's form). */
  static byte[] imageBytes(String input, byte[] element) {
    if (ImageType.detect(element).isPresent()) {
      return element;
    }
    try {
      return Base64.getMimeDecoder().decode(element);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          "input '"
              + input
              + "': the BYTES element is neither an image nor base64 of one ("
              + e.getMessage()
              + ")");
    }
  }
}
