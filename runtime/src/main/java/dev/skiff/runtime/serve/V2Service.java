package dev.skiff.runtime.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.runtime.inference.InferenceService;
import dev.skiff.runtime.inference.VersionLookup;
import dev.skiff.runtime.model.ModelVersion;
import dev.skiff.runtime.model.ServedModel;
import dev.skiff.runtime.model.ServingVersion;
import dev.skiff.runtime.protocol.BinaryOutputs;
import dev.skiff.runtime.protocol.BinaryTensorData;
import dev.skiff.runtime.protocol.Classification;
import dev.skiff.runtime.protocol.InferenceRequest;
import dev.skiff.runtime.protocol.InferenceResponse;
import dev.skiff.runtime.protocol.V2JsonCodec;
import dev.skiff.runtime.tensor.TensorSpec;
import dev.skiff.runtime.web.Json;
import dev.skiff.runtime.web.MethodNotAllowed;
import dev.skiff.runtime.web.RequestIds;
import io.helidon.http.HeaderName;
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
 * The Open Inference Protocol V2 REST API (the one KServe, MLServer and Triton speak): server and
 * model metadata, readiness, and inference, with and without a version in the path.
 */
public final class V2Service implements HttpService {
  private static final HeaderName BINARY_HEADER = HeaderNames.create(BinaryTensorData.HEADER);

  private final VersionLookup versions;
  private final InferenceService inference;
  private final V2JsonCodec codec;
  private final String serverVersion;

  public V2Service(
      VersionLookup versions, InferenceService inference, V2JsonCodec codec, String serverVersion) {
    this.versions = versions;
    this.inference = inference;
    this.codec = codec;
    this.serverVersion = serverVersion;
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .get("/", this::serverMetadata)
        .get(
            "/health/live",
            (req, res) -> Json.send(res, Status.OK_200, Json.object().put("live", true)))
        .get("/health/ready", (req, res) -> serverReady(res))
        .get("/models/{model}", this::modelMetadata)
        .get("/models/{model}/ready", this::modelReady)
        .post("/models/{model}/infer", this::infer)
        .get("/models/{model}/versions/{version}", this::modelMetadata)
        .get("/models/{model}/versions/{version}/ready", this::modelReady)
        .post("/models/{model}/versions/{version}/infer", this::infer);
    MethodNotAllowed.register(
        rules,
        List.of("/", "/health/live", "/health/ready", "/models/{model}", "/models/{model}/ready"),
        "GET");
    MethodNotAllowed.register(
        rules,
        List.of("/models/{model}/versions/{version}", "/models/{model}/versions/{version}/ready"),
        "GET");
    MethodNotAllowed.register(
        rules,
        List.of("/models/{model}/infer", "/models/{model}/versions/{version}/infer"),
        "POST");
  }

  private void serverMetadata(ServerRequest req, ServerResponse res) {
    ObjectNode body = Json.object().put("name", "skiff").put("version", serverVersion);
    // Triton's extension names, only for what is implemented: the repository API (index, load,
    // unload), binary tensor data (Inference-Header-Content-Length) and the classification
    // parameter on requested outputs.
    body.putArray("extensions")
        .add("model_repository")
        .add("binary_tensor_data")
        .add("classification");
    Json.send(res, Status.OK_200, body);
  }

  private void serverReady(ServerResponse res) {
    boolean ready = versions.repository().isReady();
    Json.send(res, readinessStatus(ready), Json.object().put("ready", ready));
  }

  /** The protocol's model-ready body names the model: {@code {"name": ..., "ready": ...}}. */
  private void modelReady(ServerRequest req, ServerResponse res) {
    ModelVersion version = resolve(req);
    boolean ready = version.isReady();
    Json.send(
        res,
        readinessStatus(ready),
        Json.object().put("name", version.modelName()).put("ready", ready));
  }

  /** The protocol says: 200 when ready, 4xx otherwise; Triton answers 400, and so do we. */
  private static Status readinessStatus(boolean ready) {
    return ready ? Status.OK_200 : Status.BAD_REQUEST_400;
  }

  private void modelMetadata(ServerRequest req, ServerResponse res) {
    ModelVersion version = resolve(req);
    ServingVersion contract = VersionLookup.ready(version);
    ServedModel model = versions.model(version.modelName());
    ObjectNode body = Json.object().put("name", model.name());
    ArrayNode versions = body.putArray("versions");
    model.versionNames().forEach(versions::add);
    body.put("platform", contract.session().platform());
    body.set("inputs", tensorMetadata(contract.inputs()));
    body.set("outputs", tensorMetadata(contract.outputs()));
    Json.send(res, Status.OK_200, body);
  }

  static ArrayNode tensorMetadata(List<TensorSpec> specs) {
    ArrayNode array = Json.MAPPER.createArrayNode();
    for (TensorSpec spec : specs) {
      ObjectNode node = array.addObject();
      node.put("name", spec.name()).put("datatype", spec.datatype().name());
      ArrayNode shape = node.putArray("shape");
      for (long dim : spec.shape()) {
        shape.add(dim);
      }
    }
    return array;
  }

  private void infer(ServerRequest req, ServerResponse res) throws Exception {
    ModelVersion version = resolve(req);
    RequestAccounting.counts(req, version);
    ServingVersion ready = VersionLookup.enter(version);
    try {
      infer(ready, req, res);
    } finally {
      ready.exit();
    }
  }

  private void infer(ServingVersion ready, ServerRequest req, ServerResponse res) throws Exception {
    InferenceRequest request;
    Optional<String> headerLength = req.headers().first(BINARY_HEADER);
    try (InputStream body = req.content().inputStream()) {
      request =
          headerLength.isPresent() // binary tensor data extension: JSON, then tensor bytes
              ? codec.readRequest(body.readAllBytes(), headerLength.get())
              : codec.readRequest(body);
    }
    BinaryOutputs binary = BinaryOutputs.of(request);
    Classification classification = Classification.of(request);
    String id = request.id() != null ? request.id() : RequestIds.of(req);
    InferenceResponse response =
        classification.apply(
            inference.infer(ready, request, id).response(), ready.settings().labels());
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    int jsonPartLength = codec.writeResponse(response, binary, out);
    if (jsonPartLength >= 0) {
      res.header(BINARY_HEADER, Integer.toString(jsonPartLength));
      res.header(HeaderValues.CONTENT_TYPE_OCTET_STREAM);
    } else {
      res.header(HeaderValues.CONTENT_TYPE_JSON);
    }
    res.send(out.toByteArray());
  }

  private ModelVersion resolve(ServerRequest req) {
    var params = req.path().pathParameters();
    String model = params.get("model");
    String version = params.contains("version") ? params.get("version") : null;
    return versions.resolve(model, version);
  }
}
