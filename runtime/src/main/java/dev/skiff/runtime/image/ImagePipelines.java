package dev.skiff.runtime.image;

import dev.skiff.runtime.inference.InferenceHooks;
import dev.skiff.runtime.model.ModelRepository;
import dev.skiff.runtime.model.ModelSettings;
import dev.skiff.runtime.model.ModelSettings.Postprocess;
import dev.skiff.runtime.model.ModelSettings.Preprocess;
import dev.skiff.runtime.model.ModelVersion;
import dev.skiff.runtime.model.ServedModel;
import dev.skiff.runtime.protocol.InferenceResponse;
import dev.skiff.runtime.tensor.Datatype;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.web.ApiException;
import java.nio.FloatBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The image side of every model with {@code preprocess}/{@code postprocess} in its model.yaml:
 * encoded image bytes to the model's input tensor, and the model's outputs to labels or boxes. As
 * an {@link InferenceHooks} it also lets a V2 request send the image itself: an input of datatype
 * BYTES and shape [1] under the model input's name holds the encoded file (raw with the binary
 * extension, base64 in JSON) and is replaced by the preprocessed tensor before validation.
 */
public final class ImagePipelines {
  private final ModelRepository repository;
  private final ImageDecoder decoder;

  public ImagePipelines(ModelRepository repository, ImageDecoder decoder) {
    this.repository = repository;
    this.decoder = decoder;
  }

  private ModelSettings settings(ModelVersion version) {
    return repository
        .model(version.modelName())
        .map(ServedModel::settings)
        .orElseThrow(() -> ApiException.notFound("model '" + version.modelName() + "' not found"));
  }

  /**
   * Decodes and preprocesses an uploaded image for {@code version}.
   *
   * @throws ApiException 400 when the model takes no images, else as {@link ImageDecoder#decode}
   */
  public Preprocessor.Result preprocess(
      ModelVersion version, ModelVersion.Loaded contract, byte[] image) {
    Preprocess pre = settings(version).preprocess();
    if (pre == null) {
      throw ApiException.badRequest(
          "model '"
              + version.modelName()
              + "' takes no images: its model.yaml has no 'preprocess' (docs/images.md)");
    }
    String input = pre.target(contract.inputs()).name();
    return new Preprocessor(pre, input).apply(decoder.decode(image));
  }

  /**
   * Labels or boxes from the model's outputs, when the model has {@code postprocess}.
   *
   * @param placement where the image sat in the model input; null maps boxes to the model input
   */
  public Optional<Answer> postprocess(
      ModelVersion version,
      ModelVersion.Loaded contract,
      InferenceResponse response,
      Placement placement) {
    ModelSettings settings = settings(version);
    Postprocess post = settings.postprocess();
    if (post == null) {
      return Optional.empty();
    }
    String name = post.outputName(contract.outputs());
    Tensor output =
        response.outputs().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    if (output == null || output.datatype() != Datatype.FP32 || output.rank() < 2) {
      return Optional.empty(); // the client selected other outputs
    }
    float[] values = floats(output);
    int rowLength = (int) output.dim(output.rank() - 1);
    if (post.kind() == Postprocess.Type.CLASSIFICATION) {
      float[] first = java.util.Arrays.copyOf(values, Math.min(rowLength, values.length));
      return Optional.of(Answer.classification(TopK.of(first, post.k(), settings.labels())));
    }
    Placement where = placement;
    if (where == null) {
      Preprocess pre = settings.preprocess();
      int w = pre == null ? 1 : pre.width();
      int h = pre == null ? 1 : pre.height();
      where = Placement.of(Preprocess.Resize.STRETCH, w, h, w, h);
    }
    YoloDetections yolo =
        new YoloDetections(post.confidence(), post.iou(), post.maxBoxes(), settings.labels());
    // Batch 1: the first image's rows only.
    long rows = output.rank() == 3 ? output.dim(1) : output.dim(0);
    float[] first =
        java.util.Arrays.copyOf(values, (int) Math.min(values.length, rows * rowLength));
    return Optional.of(Answer.detection(yolo.decode(first, rowLength, where)));
  }

  private static float[] floats(Tensor tensor) {
    FloatBuffer buffer = tensor.data().asFloatBuffer();
    float[] values = new float[buffer.remaining()];
    buffer.get(values);
    return values;
  }

  /** The hook that decodes V2 BYTES image inputs for models with {@code preprocess}. */
  public InferenceHooks bytesInputs() {
    return new InferenceHooks() {
      @Override
      public List<Tensor> convertInputs(
          ModelVersion version, ModelVersion.Loaded contract, List<Tensor> inputs) {
        return convert(version, contract, inputs);
      }
    };
  }

  List<Tensor> convert(ModelVersion version, ModelVersion.Loaded contract, List<Tensor> inputs) {
    if (inputs.size() != 1 || inputs.get(0).datatype() != Datatype.BYTES) {
      return inputs;
    }
    Preprocess pre = settings(version).preprocess();
    if (pre == null) {
      return inputs;
    }
    Tensor given = inputs.get(0);
    String input = pre.target(contract.inputs()).name();
    if (!given.name().equals(input)) {
      return inputs; // validation names the unknown input
    }
    if (given.elementCount() != 1) {
      throw ApiException.badRequest(
          "input '"
              + input
              + "' as BYTES carries one encoded image: shape [1], not "
              + java.util.Arrays.toString(given.shape()));
    }
    return List.of(preprocess(version, contract, imageBytes(input, given.strings()[0])).tensor());
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
