package dev.skiff.runtime.inference;

import dev.skiff.runtime.feedback.PredictionRecorder;
import dev.skiff.runtime.image.Answer;
import dev.skiff.runtime.image.ImagePipelines;
import dev.skiff.runtime.image.Placement;
import dev.skiff.runtime.image.Preprocessor;
import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.model.ServingVersion;
import dev.skiff.runtime.protocol.InferenceRequest;
import dev.skiff.runtime.protocol.InferenceResponse;
import dev.skiff.runtime.protocol.RequestedOutput;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.tensor.TensorSpec;
import dev.skiff.runtime.text.TextInputs;
import dev.skiff.runtime.text.TextTokenizer;
import dev.skiff.runtime.web.ApiException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Answers inference requests whatever protocol they came in, against a {@link ServingVersion}:
 * turns an image input into the model's tensor, holds the request to the version's contract and
 * limits, runs it on the version's runner (batched or not), postprocesses the answer once, and
 * remembers the prediction for feedback.
 */
public final class InferenceService {
  private static final Logger LOG = Logger.getLogger(InferenceService.class.getName());

  private final ImagePipelines images;
  private final PredictionRecorder predictions;
  private final RuntimeMetrics metrics;

  public InferenceService(
      ImagePipelines images, PredictionRecorder predictions, RuntimeMetrics metrics) {
    this.images = images;
    this.predictions = predictions;
    this.metrics = metrics;
  }

  /** Validates and runs one request (V2 or V1) against a ready version. */
  public InferenceResult infer(ServingVersion version, InferenceRequest request, String id)
      throws Exception {
    if (version.tokenizer().isPresent()) {
      Optional<List<String>> texts = TextInputs.texts(request.inputs());
      if (texts.isPresent()) {
        return run(version, tokenize(version, texts.get()), request.outputs(), id, null);
      }
    }
    ImagePipelines.Converted converted = images.convert(version, request.inputs());
    return run(version, converted.inputs(), request.outputs(), id, converted.placement());
  }

  /**
   * Tokenizes texts for a text model, then runs them like any request.
   *
   * @throws ApiException 400 when the model takes no text; 400 or 413 for a text itself
   */
  public InferenceResult inferText(ServingVersion version, List<String> texts, String id)
      throws Exception {
    return run(version, tokenize(version, texts), List.of(), id, null);
  }

  private static List<Tensor> tokenize(ServingVersion version, List<String> texts) {
    TextTokenizer tokenizer =
        version
            .tokenizer()
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        "model '"
                            + version.model()
                            + "' takes no text: its model.yaml has no 'preprocess' of type text"
                            + " (docs/text.md)"));
    // Tokenizing runs on the request's thread: the Rust call is microseconds for a text within
    // the per-text byte limit, short enough not to need the inference pool.
    return tokenizer.encode(texts).tensors(names(version.inputs()));
  }

  /**
   * Decodes and preprocesses an uploaded image, then runs it like any request.
   *
   * @throws ApiException 400 when the model takes no images; 413 or 415 for the image itself
   */
  public InferenceResult inferImage(ServingVersion version, byte[] image, String id)
      throws Exception {
    Preprocessor.Result input = images.preprocess(version, image);
    return run(version, List.of(input.tensor()), List.of(), id, input.placement());
  }

  private InferenceResult run(
      ServingVersion version,
      List<Tensor> given,
      List<RequestedOutput> wanted,
      String id,
      Placement placement)
      throws Exception {
    List<Tensor> inputs = checkInputs(version.inputs(), given);
    checkLimits(version, inputs);
    Set<String> outputs = selectOutputs(version.outputs(), wanted);
    metrics.inflight(version.model(), version.version(), 1);
    try {
      Map<String, Tensor> results = version.runner().run(inputs, outputs);
      List<Tensor> ordered = new ArrayList<>(outputs.size());
      for (String name : outputs) {
        Tensor tensor = results.get(name);
        if (tensor == null) {
          throw ApiException.internal("the model did not produce output '" + name + "'");
        }
        ordered.add(tensor);
      }
      InferenceResponse response =
          new InferenceResponse(version.model(), version.version(), id, null, ordered);
      Optional<Answer> answer = images.postprocess(version, response, placement);
      predictions.record(version, response, answer);
      return new InferenceResult(version, response, answer);
    } catch (ApiException e) {
      throw e;
    } catch (Exception e) {
      // The request passed validation, so this is the model's or the runtime's fault.
      LOG.log(Level.WARNING, "inference failed for " + version.describe(), e);
      throw ApiException.internal(
          "model '" + version.model() + "' failed to run: " + e.getMessage());
    } finally {
      metrics.inflight(version.model(), version.version(), -1);
    }
  }

  /** The model's own per-request limit from model.yaml ({@code limits.maxBatchSize}). */
  private static void checkLimits(ServingVersion version, List<Tensor> inputs) {
    if (version.settings().maxRowsPerRequest().isEmpty()) {
      return;
    }
    int most = version.settings().maxRowsPerRequest().getAsInt();
    for (Tensor tensor : inputs) {
      if (tensor.rank() > 0 && tensor.dim(0) > most) {
        throw ApiException.badRequest(
            "input '"
                + tensor.name()
                + "' has "
                + tensor.dim(0)
                + " rows; model '"
                + version.model()
                + "' accepts at most "
                + most
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
                + Arrays.toString(tensor.shape())
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
