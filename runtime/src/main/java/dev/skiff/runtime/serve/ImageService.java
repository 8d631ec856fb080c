package dev.skiff.runtime.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.runtime.image.Answer;
import dev.skiff.runtime.image.Box;
import dev.skiff.runtime.image.ScoredLabel;
import dev.skiff.runtime.inference.InferenceResult;
import dev.skiff.runtime.inference.InferenceService;
import dev.skiff.runtime.inference.VersionLookup;
import dev.skiff.runtime.model.ModelVersion;
import dev.skiff.runtime.model.ServingVersion;
import dev.skiff.runtime.protocol.InferenceResponse;
import dev.skiff.runtime.protocol.V2JsonCodec;
import dev.skiff.runtime.web.ApiException;
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
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;

/**
 * Image upload: {@code POST /v1/models/{m}/predict} with the image in multipart field {@code file}
 * (and {@code POST /v1/predict} when one model is served). The image is decoded and preprocessed as
 * the model's {@code preprocess} says, run through {@link InferenceService} like any V2 request
 * (validation, batching, metrics, auth), and answered with the labels or boxes it postprocessed. A
 * text model takes a JSON body {@code {"text": "..."}} at the same address instead (docs/text.md).
 */
public final class ImageService implements HttpService {
  static final String FIELD = "file";
  static final String TEXT_FIELD = "text";

  private final VersionLookup versions;
  private final InferenceService inference;
  private final V2JsonCodec codec;

  public ImageService(VersionLookup versions, InferenceService inference, V2JsonCodec codec) {
    this.versions = versions;
    this.inference = inference;
    this.codec = codec;
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .post("/models/{model}/predict", this::predict)
        .post(
            "/predict",
            (req, res) ->
                predict(
                    SingleModel.name(versions.repository(), "/v1/predict", "predict"), req, res));
    MethodNotAllowed.register(rules, List.of("/models/{model}/predict", "/predict"), "POST");
  }

  private void predict(ServerRequest req, ServerResponse res) throws Exception {
    predict(req.path().pathParameters().get("model"), req, res);
  }

  private void predict(String model, ServerRequest req, ServerResponse res) throws Exception {
    ModelVersion version = versions.resolve(model, null);
    RequestAccounting.counts(req, version);
    ServingVersion ready = VersionLookup.enter(version);
    try {
      predict(ready, req, res);
    } finally {
      ready.exit();
    }
  }

  private void predict(ServingVersion ready, ServerRequest req, ServerResponse res)
      throws Exception {
    String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null);
    InferenceResult result;
    try (InputStream body = req.content().inputStream()) {
      if (ready.tokenizer().isPresent()) { // a text model: {"text": ...}, whatever the header says
        result = inference.inferText(ready, List.of(text(body)), RequestIds.of(req));
      } else {
        byte[] image = MultipartForm.field(contentType, body, FIELD);
        result = inference.inferImage(ready, image, RequestIds.of(req));
      }
    }
    if (result.answer().isEmpty()) { // no postprocess: the raw outputs, as V2 answers them
      ByteArrayOutputStream out = new ByteArrayOutputStream(512);
      codec.writeResponse(result.response(), out);
      res.header(HeaderValues.CONTENT_TYPE_JSON);
      res.send(out.toByteArray());
      return;
    }
    Json.send(res, Status.OK_200, body(result.response(), result.answer().get()));
  }

  /** The review of {@code {"text": "..."}}. */
  private String text(InputStream body) {
    JsonNode root;
    try {
      root = codec.mapper().readTree(body);
    } catch (IOException e) {
      throw ApiException.badRequest("the body is not JSON: " + e.getMessage());
    }
    JsonNode text = root == null ? null : root.get(TEXT_FIELD);
    if (text == null || !text.isTextual()) {
      throw ApiException.badRequest(
          "a JSON predict body is {\""
              + TEXT_FIELD
              + "\": \"<the text>\"}; field '"
              + TEXT_FIELD
              + "' must be a string"
              + (text == null
                  ? ""
                  : ", not " + text.getNodeType().name().toLowerCase(Locale.ROOT)));
    }
    return text.asText();
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
