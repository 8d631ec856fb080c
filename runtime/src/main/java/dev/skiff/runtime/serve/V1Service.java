package dev.skiff.runtime.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.skiff.runtime.inference.InferenceService;
import dev.skiff.runtime.inference.VersionLookup;
import dev.skiff.runtime.model.ModelVersion;
import dev.skiff.runtime.model.ServedModel;
import dev.skiff.runtime.model.ServingVersion;
import dev.skiff.runtime.protocol.InferenceRequest;
import dev.skiff.runtime.protocol.InferenceResponse;
import dev.skiff.runtime.protocol.V1JsonCodec;
import dev.skiff.runtime.text.TextInputs;
import dev.skiff.runtime.web.ApiException;
import dev.skiff.runtime.web.Json;
import dev.skiff.runtime.web.MethodNotAllowed;
import dev.skiff.runtime.web.RequestIds;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.List;

/** The KServe V1 / TensorFlow Serving style API: model list, model status and {@code :predict}. */
public final class V1Service implements HttpService {
  private static final String PREDICT = ":predict";

  private final VersionLookup versions;
  private final InferenceService inference;
  private final V1JsonCodec codec;

  public V1Service(VersionLookup versions, InferenceService inference, V1JsonCodec codec) {
    this.versions = versions;
    this.inference = inference;
    this.codec = codec;
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .get("/models", this::listModels)
        .get("/models/{model}", this::modelStatus)
        .post("/models/{model}", this::predict);
    MethodNotAllowed.register(rules, List.of("/models"), "GET");
  }

  private void listModels(ServerRequest req, ServerResponse res) {
    ArrayNode names = Json.MAPPER.createArrayNode();
    versions.repository().models().stream().map(ServedModel::name).forEach(names::add);
    Json.send(res, Status.OK_200, Json.object().set("models", names));
  }

  private void modelStatus(ServerRequest req, ServerResponse res) {
    String name = req.path().pathParameters().get("model");
    if (name.endsWith(PREDICT)) {
      throw ApiException.methodNotAllowed(":predict takes POST");
    }
    ModelVersion version = versions.resolve(name, null);
    Json.send(
        res,
        Status.OK_200,
        Json.object().put("name", version.modelName()).put("ready", version.isReady()));
  }

  private void predict(ServerRequest req, ServerResponse res) throws Exception {
    String target = req.path().pathParameters().get("model");
    if (!target.endsWith(PREDICT)) {
      throw ApiException.notFound(
          "POST /v1/models/" + target + " is not an endpoint; use /v1/models/<model>:predict");
    }
    ModelVersion version =
        versions.resolve(target.substring(0, target.length() - PREDICT.length()), null);
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
    InferenceRequest request;
    try (InputStream body = req.content().inputStream()) {
      // A text model's instances are its texts, one string each, tokenized like a V2 BYTES input.
      request =
          codec.readRequest(
              body, ready.tokenizer().isPresent() ? List.of(TextInputs.SPEC) : ready.inputs());
    }
    InferenceResponse response = inference.infer(ready, request, RequestIds.of(req)).response();
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    codec.writeResponse(response, out);
    res.header(HeaderValues.CONTENT_TYPE_JSON);
    res.send(out.toByteArray());
  }
}
