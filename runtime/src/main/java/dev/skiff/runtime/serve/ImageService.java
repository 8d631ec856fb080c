package dev.skiff.runtime.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.runtime.image.Answer;
import dev.skiff.runtime.image.Box;
import dev.skiff.runtime.image.ImagePipelines;
import dev.skiff.runtime.image.Preprocessor;
import dev.skiff.runtime.image.ScoredLabel;
import dev.skiff.runtime.inference.InferenceService;
import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.model.ModelVersion;
import dev.skiff.runtime.protocol.InferenceRequest;
import dev.skiff.runtime.protocol.InferenceResponse;
import dev.skiff.runtime.protocol.V2JsonCodec;
import dev.skiff.runtime.web.ApiException;
import dev.skiff.runtime.web.HttpErrors;
import dev.skiff.runtime.web.Json;
import dev.skiff.runtime.web.MethodNotAllowed;
import dev.skiff.runtime.web.RequestIds;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Image upload: {@code POST /v1/models/{m}/predict} with the image in multipart field {@code file}
 * (and {@code POST /v1/predict} when one model is served). The image is decoded and preprocessed as
 * the model's {@code preprocess} says, run through {@link InferenceService} like any V2 request
 * (validation, batching, metrics, auth), and answered as labels or boxes.
 */
public final class ImageService implements HttpService {
  static final String FIELD = "file";

  private final InferenceService inference;
  private final ImagePipelines images;
  private final V2JsonCodec codec;
  private final RuntimeMetrics metrics;

  public ImageService(
      InferenceService inference,
      ImagePipelines images,
      V2JsonCodec codec,
      RuntimeMetrics metrics) {
    this.inference = inference;
    this.images = images;
    this.codec = codec;
    this.metrics = metrics;
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .post("/models/{model}/predict", this::predict)
        .post(
            "/predict",
            (req, res) ->
                predict(
                    SingleModel.name(inference.repository(), "/v1/predict", "predict"), req, res));
    MethodNotAllowed.register(rules, List.of("/models/{model}/predict", "/predict"), "POST");
  }

  private void predict(ServerRequest req, ServerResponse res) throws Exception {
    predict(req.path().pathParameters().get("model"), req, res);
  }

  private void predict(String model, ServerRequest req, ServerResponse res) throws Exception {
    long start = System.nanoTime();
    ModelVersion version = inference.resolve(model, null);
    int code = 200;
    try {
      ModelVersion.Loaded contract = InferenceService.readyContract(version);
      byte[] image;
      String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null);
      try (InputStream body = req.content().inputStream()) {
        image = MultipartForm.field(contentType, body, FIELD);
      }
      Preprocessor.Result input = images.preprocess(version, contract, image);
      String id = RequestIds.of(req);
      InferenceResponse response =
          inference.infer(
              version, new InferenceRequest(id, null, List.of(input.tensor()), List.of()), id);
      Optional<Answer> answer = images.postprocess(version, contract, response, input.placement());
      if (answer.isEmpty()) { // no postprocess: the raw outputs, as V2 answers them
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        codec.writeResponse(response, out);
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(out.toByteArray());
        return;
      }
      Json.send(res, Status.OK_200, body(response, answer.get()));
    } catch (ApiException e) {
      code = e.status();
      if (code < 500 || e.reason().equals("overloaded") || e.reason().equals("unavailable")) {
        metrics.rejected(version.modelName(), version.name(), e.reason());
      }
      throw e;
    } catch (RuntimeException e) {
      code = HttpErrors.statusOf(e);
      throw e;
    } finally {
      metrics.requestFinished(
          version.modelName(), version.name(), code, (System.nanoTime() - start) / 1e9);
    }
  }

  static ObjectNode body(InferenceResponse response, Answer answer) {
    ObjectNode body =
        Json.object()
            .put("model", response.modelName())
            .put("version", response.modelVersion())
            .put("id", response.id());
    if (!answer.detection()) {
      ArrayNode predictions = body.putArray("predictions");
      for (ScoredLabel p : answer.predictions()) {
        predictions.addObject().put("label", p.label()).put("score", p.score());
      }
    } else {
      ArrayNode detections = body.putArray("detections");
      for (Box b : answer.detections()) {
        detections
            .addObject()
            .put("label", b.label())
            .put("score", b.score())
            .put("x", b.x())
            .put("y", b.y())
            .put("w", b.w())
            .put("h", b.h());
      }
    }
    return body;
  }
}
