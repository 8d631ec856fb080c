package dev.skiff.runtime.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.skiff.api.contract.Datatype;
import dev.skiff.api.contract.RuntimeHttp;
import dev.skiff.runtime.model.ModelRepository;
import dev.skiff.runtime.model.ModelVersion;
import dev.skiff.runtime.model.ServedModel;
import dev.skiff.runtime.model.ServingVersion;
import dev.skiff.runtime.model.TextSettings;
import dev.skiff.runtime.tensor.TensorSpec;
import dev.skiff.runtime.text.TextInputs;
import dev.skiff.runtime.web.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Serves an OpenAPI 3 document at {@code /openapi} (JSON; YAML with {@code ?format=yaml} or an
 * Accept header asking for YAML) describing the fixed endpoints and, for each loaded model, its
 * inference endpoints with the model's own input and output tensors.
 */
public final class OpenApiService implements HttpService {
  /** Most values of one tensor the document spells out ({@link #smallEnoughToSpellOut}). */
  static final long SPELLED_OUT_VALUES = 65_536;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final ModelRepository repository;
  private final String serverVersion;
  private final boolean authEnabled;
  private final boolean explicitControl;

  /**
   * @param explicitControl whether models may be loaded and unloaded through the API
   *     (--model-control=explicit); the document lists load and unload only then
   */
  public OpenApiService(
      ModelRepository repository,
      String serverVersion,
      boolean authEnabled,
      boolean explicitControl) {
    this.explicitControl = explicitControl;
    this.repository = repository;
    this.serverVersion = serverVersion;
    this.authEnabled = authEnabled;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/", this::document);
  }

  private void document(ServerRequest req, ServerResponse res) throws Exception {
    ObjectNode doc = build();
    boolean yaml =
        req.query().first("format").map("yaml"::equals).orElse(false)
            || req.headers().first(HeaderNames.ACCEPT).map(a -> a.contains("yaml")).orElse(false);
    if (yaml) {
      res.header(HeaderNames.CONTENT_TYPE, "application/yaml");
      res.send(YAML.writeValueAsBytes(doc));
    } else {
      Json.send(res, Status.OK_200, doc);
    }
  }

  ObjectNode build() {
    ObjectNode doc = Json.object().put("openapi", "3.0.3");
    doc.putObject("info")
        .put("title", "Skiff inference runtime")
        .put("version", serverVersion)
        .put(
            "description",
            "Open Inference Protocol V2 and KServe V1 endpoints for the models this server"
                + " loaded. Every response carries X-Request-Id; errors are {\"error\": ...}.");
    ObjectNode paths = doc.putObject("paths");
    ObjectNode schemas = doc.putObject("components").putObject("schemas");
    schemas.set("Error", objectSchema().set("properties", props("error", stringSchema())));
    schemas.set("Tensor", tensorSchema(null));
    if (authEnabled) {
      doc.with("components")
          .putObject("securitySchemes")
          .putObject("bearer")
          .put("type", "http")
          .put("scheme", "bearer");
      doc.putArray("security").addObject().putArray("bearer");
    }
    paths.set("/", get("serverAlive", "KServe V1 liveness ({\"status\": \"alive\"})", "V1"));
    paths.set("/v2", get("serverMetadata", "Server metadata", "V2"));
    paths.set("/v2/health/live", get("serverLive", "Server liveness", "V2"));
    paths.set(
        "/v2/health/ready", get("serverReady", "Server readiness (400 when not ready)", "V2"));
    paths.set(RuntimeHttp.HEALTH_LIVE, get("livenessProbe", "Liveness probe", "Health"));
    paths.set(
        RuntimeHttp.HEALTH_READY,
        get("readinessProbe", "Readiness probe (503 until every model is warm)", "Health"));
    paths.set(RuntimeHttp.METRICS, get("metrics", "Prometheus metrics", "Observability"));
    paths.set("/v1/models", get("listModels", "List models (KServe V1)", "V1"));
    repositoryPaths(paths, schemas, explicitControl);
    paths.set("/docs", get("swaggerUi", "This document in Swagger UI (HTML)", "Docs"));
    paths.set("/redoc", get("redoc", "This document in ReDoc (HTML)", "Docs"));
    for (ServedModel model : repository.models()) {
      ModelVersion version = model.defaultVersion();
      if (version.serving().isEmpty()) {
        continue;
      }
      ServingVersion contract = version.serving().get();
      String name = model.name();
      String schemaName = name.replaceAll("[^A-Za-z0-9_.-]", "_");
      // A text model's requests carry texts, not the token tensors the tokenizer makes.
      Optional<TextSettings> text = model.settings().text();
      List<TensorSpec> requestInputs =
          text.isPresent() ? List.of(TextInputs.SPEC) : contract.inputs();
      ObjectNode v2Request = v2Request(requestInputs, contract.outputs());
      ObjectNode v1Request = v1Request(requestInputs);
      text.ifPresent(t -> describeTexts(v2Request, v1Request, t));
      schemas.set(schemaName + "_V2Request", v2Request);
      schemas.set(schemaName + "_V2Response", v2Response(contract.outputs()));
      schemas.set(schemaName + "_V1Request", v1Request);
      String description =
          model.settings().description() == null ? "" : model.settings().description();
      paths.set(
          "/v2/models/" + name, get(schemaName + "_modelMetadata", "Metadata of " + name, name));
      paths.set(
          "/v2/models/" + name + "/ready",
          get(schemaName + "_modelReady", "Readiness of " + name, name));
      paths.set(
          "/v2/models/" + name + "/infer",
          post(
              schemaName + "_infer",
              "Infer with " + name + " (default version " + version.name() + ")",
              description,
              name,
              schemaName + "_V2Request",
              schemaName + "_V2Response"));
      for (String v : model.versionNames()) {
        paths.set(
            "/v2/models/" + name + "/versions/" + v + "/infer",
            post(
                schemaName + "_" + v.replaceAll("[^A-Za-z0-9_.-]", "_") + "_infer",
                "Infer with " + name + " version " + v,
                description,
                name,
                schemaName + "_V2Request",
                schemaName + "_V2Response"));
      }
      paths.set(
          "/v1/models/" + name + ":predict",
          post(
              schemaName + "_predict",
              "Predict with " + name + " (KServe V1 instances)",
              description,
              name,
              schemaName + "_V1Request",
              null));
      if (model.settings().image().preprocess().isPresent()) {
        paths.set("/v1/models/" + name + "/predict", upload(schemaName, name, description));
      }
      if (text.isPresent()) {
        schemas.set(schemaName + "_TextRequest", textRequest(text.get()));
        paths.set(
            "/v1/models/" + name + "/predict",
            post(
                schemaName + "_predictText",
                "Classify a text with " + name,
                description,
                name,
                schemaName + "_TextRequest",
                null));
      }
      paths.set("/v1/models/" + name + "/feedback", feedback(schemaName, name));
    }
    return doc;
  }

  /** Every input once (minItems = maxItems = the inputs); outputs named from the model's. */
  private static ObjectNode v2Request(List<TensorSpec> inputs, List<TensorSpec> outputs) {
    ObjectNode schema = objectSchema();
    schema.putArray("required").add("inputs");
    ArrayNode items = Json.MAPPER.createArrayNode();
    for (TensorSpec spec : inputs) {
      items.add(tensorSchema(spec));
    }
    ObjectNode inputsSchema =
        Json.object()
            .put("type", "array")
            .put("minItems", inputs.size())
            .put("maxItems", inputs.size());
    inputsSchema.putObject("items").set("oneOf", items);
    ObjectNode properties = props("id", stringSchema());
    properties.set("inputs", inputsSchema);
    ObjectNode outputName = stringSchema();
    ArrayNode names = outputName.putArray("enum");
    outputs.forEach(spec -> names.add(spec.name()));
    ObjectNode output = objectSchema();
    output.putArray("required").add("name");
    output.set("properties", props("name", outputName));
    ObjectNode outputsSchema = Json.object().put("type", "array").put("uniqueItems", true);
    outputsSchema.set("items", output);
    properties.set("outputs", outputsSchema);
    schema.set("properties", properties);
    if (inputs.stream().allMatch(OpenApiService::smallEnoughToSpellOut)) {
      ObjectNode example = Json.object();
      ArrayNode exampleInputs = example.putArray("inputs");
      for (TensorSpec spec : inputs) {
        exampleInputs.add(exampleTensor(spec));
      }
      schema.set("example", example);
    }
    return schema;
  }

  /**
   * Whether a tensor is small enough for the document to spell it out: an example of zeros, and
   * every size of a V1 row. An image model's {@code [1, 3, 416, 416]} input (519,168 values) would
   * put a megabyte of zeros into each example and ask schema-driven clients (schemathesis, Swagger
   * UI) to generate rows that large; past {@link #SPELLED_OUT_VALUES} the document gives the shape
   * only, and the server's refusal names the shape it needs.
   */
  private static boolean smallEnoughToSpellOut(TensorSpec spec) {
    long count = 1;
    for (long dim : spec.shape()) {
      count *= Math.max(1, dim);
    }
    return count <= SPELLED_OUT_VALUES;
  }

  private static ObjectNode v2Response(List<TensorSpec> outputs) {
    ObjectNode schema = objectSchema();
    ObjectNode properties = props("model_name", stringSchema());
    properties.set("model_version", stringSchema());
    properties.set("id", stringSchema());
    ArrayNode items = Json.MAPPER.createArrayNode();
    outputs.forEach(spec -> items.add(tensorSchema(spec)));
    ObjectNode outputsSchema = Json.object().put("type", "array");
    outputsSchema.putObject("items").set("oneOf", items);
    properties.set("outputs", outputsSchema);
    schema.set("properties", properties);
    return schema;
  }

  /** A tensor object; with a spec, the name, datatype and shape are pinned to the model's. */
  private static ObjectNode tensorSchema(TensorSpec spec) {
    ObjectNode schema = objectSchema();
    schema.putArray("required").add("name").add("datatype").add("shape").add("data");
    ObjectNode name = stringSchema();
    ObjectNode datatype = stringSchema();
    if (spec == null) {
      ArrayNode all = datatype.putArray("enum");
      for (Datatype d : Datatype.values()) {
        all.add(d.name());
      }
    } else {
      name.putArray("enum").add(spec.name());
      datatype.putArray("enum").add(spec.datatype().name());
      schema.put(
          "description",
          spec.name() + ": " + spec.datatype() + " " + spec.shapeText() + " (-1 = any size)");
    }
    ObjectNode properties = props("name", name);
    properties.set("datatype", datatype);
    ObjectNode shape = Json.object().put("type", "array");
    shape
        .putObject("items")
        .put("type", "integer")
        .put("format", "int64")
        .put("minimum", 0)
        .put("maximum", Long.MAX_VALUE);
    if (spec != null) {
      shape.put("minItems", spec.rank()).put("maxItems", spec.rank());
    }
    properties.set("shape", shape);
    ObjectNode data = Json.object().put("type", "array");
    ObjectNode element = data.putObject("items");
    if (spec != null) {
      element.put("type", jsonType(spec.datatype()));
      valueRange(spec.datatype(), element);
    }
    properties.set("data", data);
    schema.set("properties", properties);
    return schema;
  }

  private static ObjectNode exampleTensor(TensorSpec spec) {
    ObjectNode tensor =
        Json.object().put("name", spec.name()).put("datatype", spec.datatype().name());
    ArrayNode shape = tensor.putArray("shape");
    long count = 1;
    for (long dim : spec.shape()) {
      long size = dim < 0 ? 1 : dim;
      shape.add(size);
      count *= size;
    }
    ArrayNode data = tensor.putArray("data");
    for (long i = 0; i < count; i++) {
      switch (spec.datatype()) {
        case BOOL -> data.add(false);
        case BYTES -> data.add("");
        default -> data.add(0);
      }
    }
    return tensor;
  }

  /** The values a datatype can hold, so a schema-valid number is never out of range. */
  private static void valueRange(Datatype datatype, ObjectNode element) {
    switch (datatype) {
      case UINT8 -> element.put("minimum", 0).put("maximum", 255);
      case UINT16 -> element.put("minimum", 0).put("maximum", 65_535);
      case UINT32 -> element.put("minimum", 0).put("maximum", 4_294_967_295L);
      case UINT64 ->
          element.put("minimum", 0).put("maximum", new BigInteger("18446744073709551615"));
      case INT8 -> element.put("minimum", Byte.MIN_VALUE).put("maximum", Byte.MAX_VALUE);
      case INT16 -> element.put("minimum", Short.MIN_VALUE).put("maximum", Short.MAX_VALUE);
      case INT32 -> element.put("minimum", Integer.MIN_VALUE).put("maximum", Integer.MAX_VALUE);
      case INT64 -> element.put("minimum", Long.MIN_VALUE).put("maximum", Long.MAX_VALUE);
      case FP16 -> element.put("minimum", -65_504).put("maximum", 65_504);
      case FP32 -> element.put("minimum", -Float.MAX_VALUE).put("maximum", Float.MAX_VALUE);
      default -> {}
    }
  }

  /** JSON Schema's type for a tensor element. */
  private static String jsonType(Datatype datatype) {
    return switch (datatype) {
      case BOOL -> "boolean";
      case BYTES -> "string";
      case FP16, FP32, FP64 -> "number";
      default -> "integer";
    };
  }

  /**
   * KServe V1 {@code instances}, one per row: the row itself for a one-input model, an object keyed
   * by input name otherwise; the example is one row of zeros.
   */
  private static ObjectNode v1Request(List<TensorSpec> inputs) {
    ObjectNode schema = objectSchema();
    schema.putArray("required").add("instances");
    ObjectNode instances = Json.object().put("type", "array").put("minItems", 1);
    instances.put("description", "one entry per row of the batch");
    if (inputs.size() == 1) {
      instances.set("items", rowSchema(inputs.get(0)));
    } else {
      ObjectNode named = objectSchema();
      ArrayNode required = named.putArray("required");
      ObjectNode rowProperties = named.putObject("properties");
      for (TensorSpec spec : inputs) {
        required.add(spec.name());
        rowProperties.set(spec.name(), rowSchema(spec));
      }
      instances.set("items", named);
    }
    ObjectNode properties = props("instances", instances);
    properties.set("id", stringSchema());
    schema.set("properties", properties);
    if (!inputs.stream().allMatch(OpenApiService::smallEnoughToSpellOut)) {
      return schema;
    }
    JsonNode row;
    if (inputs.size() == 1) {
      row = exampleRow(inputs.get(0));
    } else {
      ObjectNode named = Json.object();
      inputs.forEach(spec -> named.set(spec.name(), exampleRow(spec)));
      row = named;
    }
    ObjectNode example = Json.object();
    example.putArray("instances").add(row);
    schema.set("example", example);
    return schema;
  }

  /** One row: nested arrays as deep as the tensor's shape without its batch dimension. */
  private static ObjectNode rowSchema(TensorSpec spec) {
    long[] shape = spec.shape();
    ObjectNode schema = Json.object().put("type", jsonType(spec.datatype()));
    valueRange(spec.datatype(), schema);
    boolean sized = smallEnoughToSpellOut(spec);
    for (int dim = shape.length - 1; dim >= 1; dim--) {
      ObjectNode array = Json.object().put("type", "array");
      if (sized && shape[dim] >= 0) {
        array.put("minItems", shape[dim]).put("maxItems", shape[dim]);
      } else if (!sized) {
        array.put("minItems", 1); // so the nesting alone says the rank
      }
      array.set("items", schema);
      schema = array;
    }
    return schema;
  }

  /** One row of zeros: the tensor's shape without its batch dimension, nested. */
  private static JsonNode exampleRow(TensorSpec spec) {
    long[] shape = spec.shape();
    return nestedZeros(
        spec.datatype(), Arrays.copyOfRange(shape, Math.min(1, shape.length), shape.length), 0);
  }

  private static JsonNode nestedZeros(Datatype datatype, long[] shape, int dim) {
    if (dim == shape.length) {
      return switch (datatype) {
        case BOOL -> Json.MAPPER.getNodeFactory().booleanNode(false);
        case BYTES -> Json.MAPPER.getNodeFactory().textNode("");
        default -> Json.MAPPER.getNodeFactory().numberNode(0);
      };
    }
    ArrayNode array = Json.MAPPER.createArrayNode();
    for (long i = 0; i < Math.max(1, shape[dim]); i++) {
      array.add(nestedZeros(datatype, shape, dim + 1));
    }
    return array;
  }

  private static ObjectNode get(String operationId, String summary, String tag) {
    ObjectNode op = operation(operationId, summary, tag, null);
    ObjectNode path = Json.object();
    path.set("get", op);
    op.with("responses").putObject("200").put("description", "OK");
    return path;
  }

  private static ObjectNode post(
      String operationId,
      String summary,
      String description,
      String tag,
      String request,
      String response) {
    ObjectNode op = operation(operationId, summary, tag, description);
    ObjectNode body = op.putObject("requestBody").put("required", true);
    ObjectNode content = body.putObject("content").putObject("application/json");
    content.set("schema", request == null ? objectSchema() : ref(request));
    ObjectNode responses = op.with("responses");
    ObjectNode ok = responses.putObject("200").put("description", "Inference result");
    ok.putObject("content")
        .putObject("application/json")
        .set("schema", response == null ? objectSchema() : ref(response));
    for (String code : List.of("400", "401", "404", "413", "503")) {
      responses
          .putObject(code)
          .put("description", "Error")
          .putObject("content")
          .putObject("application/json")
          .set("schema", ref("Error"));
    }
    ObjectNode path = Json.object();
    path.set("post", op);
    return path;
  }

  private static final String EXAMPLE_TEXT = "A wonderful, moving film with a brilliant cast.";

  /**
   * One text as the server takes it: at least one character, and at most a quarter of the per-text
   * byte limit in characters, so that no schema-valid text (4 UTF-8 bytes a character at most) is
   * over it.
   */
  private static ObjectNode textSchema(TextSettings text) {
    return stringSchema().put("minLength", 1).put("maxLength", text.maxTextBytes() / 4);
  }

  /** The texts' element schemas and examples in a text model's V2 and V1 request schemas. */
  private static void describeTexts(ObjectNode v2Request, ObjectNode v1Request, TextSettings text) {
    ObjectNode tensor = (ObjectNode) v2Request.at("/properties/inputs/items/oneOf/0/properties");
    // At least one text: a request of none is refused ("holds no text").
    tensor.withObject("shape").withObject("items").put("minimum", 1);
    tensor.withObject("data").put("minItems", 1).withObject("items").setAll(textSchema(text));
    ((ArrayNode) v2Request.at("/example/inputs/0/data")).removeAll().add(EXAMPLE_TEXT);
    v1Request.at("/properties/instances").withObject("items").setAll(textSchema(text));
    ((ArrayNode) v1Request.at("/example/instances")).removeAll().add(EXAMPLE_TEXT);
  }

  /** A text model's predict body: {@code {"text": "..."}}; the answer is its top labels. */
  private static ObjectNode textRequest(TextSettings text) {
    ObjectNode body = objectSchema();
    body.putArray("required").add("text");
    body.set("properties", props("text", textSchema(text)));
    body.set("example", Json.object().put("text", EXAMPLE_TEXT));
    return body;
  }

  /** An image upload: multipart/form-data with the file in field {@code file}. */
  private static ObjectNode upload(String schemaName, String model, String description) {
    ObjectNode op =
        post(
            schemaName + "_predictImage",
            "Upload an image (PNG or JPEG) to " + model,
            description,
            model,
            null,
            null);
    ObjectNode form = Json.object().put("type", "object");
    form.putArray("required").add("file");
    form.putObject("properties")
        .putObject("file")
        .put("type", "string")
        .put("format", "binary")
        .put("minLength", 1);
    ObjectNode content = op.with("post").with("requestBody").putObject("content");
    ObjectNode multipart = content.putObject("multipart/form-data");
    multipart.set("schema", form);
    // The types it accepts; the server goes by the file's first bytes, not the part's header.
    multipart.putObject("encoding").putObject("file").put("contentType", "image/png, image/jpeg");
    for (String code : List.of("413", "415")) {
      op.with("post").with("responses").with(code).put("description", "Error");
    }
    return op;
  }

  /** Feedback on an earlier prediction, by its request id. */
  private static ObjectNode feedback(String schemaName, String model) {
    ObjectNode op =
        post(
            schemaName + "_feedback",
            "Feedback on a prediction of " + model,
            null,
            model,
            null,
            null);
    ObjectNode body = Json.object().put("type", "object").put("additionalProperties", false);
    body.putArray("required").add("id");
    ObjectNode properties = body.putObject("properties");
    properties
        .putObject("id")
        .put("type", "string")
        .put("minLength", 1)
        .put("description", "the prediction's request id");
    ObjectNode label = properties.putObject("label");
    label.put("description", "the true label: a class name or index");
    label.putArray("oneOf").add(stringSchema()).add(Json.object().put("type", "integer"));
    properties.putObject("correct").put("type", "boolean");
    // exactly one of label and correct
    ArrayNode oneOf = body.putArray("oneOf");
    oneOf.addObject().putArray("required").add("label");
    oneOf.addObject().putArray("required").add("correct");
    op.with("post")
        .with("requestBody")
        .with("content")
        .with("application/json")
        .set("schema", body);
    return op;
  }

  /** The model repository extension: index, load, unload (docs/repository.md). */
  private static void repositoryPaths(
      ObjectNode paths, ObjectNode schemas, boolean explicitControl) {
    ObjectNode entry = objectSchema().put("additionalProperties", false);
    entry.putArray("required").add("name").add("state").add("reason");
    ObjectNode entryProperties = entry.putObject("properties");
    entryProperties.set("name", stringSchema());
    entryProperties.set("version", stringSchema());
    entryProperties
        .putObject("state")
        .put("type", "string")
        .putArray("enum")
        .add("READY")
        .add("LOADING")
        .add("UNAVAILABLE");
    entryProperties.set("reason", stringSchema());
    schemas.set("RepositoryIndexEntry", entry);

    ObjectNode indexBody = objectSchema().put("additionalProperties", false);
    indexBody.set("properties", props("ready", Json.object().put("type", "boolean")));
    ObjectNode index =
        repositoryOperation(
            "repositoryIndex",
            "The models in the repository and their state",
            "Body optional; {\"ready\": true} lists the READY versions only.",
            indexBody,
            List.of("400", "401"));
    index
        .with("post")
        .with("responses")
        .with("200")
        .putObject("content")
        .putObject("application/json")
        .set(
            "schema", Json.object().put("type", "array").set("items", ref("RepositoryIndexEntry")));
    paths.set("/v2/repository/index", index);
    if (!explicitControl) {
      return; // load and unload are refused in this mode, whatever the request
    }

    ObjectNode loadBody = objectSchema().put("additionalProperties", false);
    loadBody.set("properties", props("parameters", objectSchema().put("maxProperties", 0)));
    paths.set(
        "/v2/repository/models/{model}/load",
        withModelParameter(
            repositoryOperation(
                "repositoryLoad",
                "Load or reload a model from its folder",
                "A load that fails answers 400"
                    + " with the reason; what served before keeps serving.",
                loadBody,
                List.of("400", "401", "404"))));

    ObjectNode unloadParameters = objectSchema().put("additionalProperties", false);
    unloadParameters.set(
        "properties", props("unload_dependents", Json.object().put("type", "boolean")));
    ObjectNode unloadBody = objectSchema().put("additionalProperties", false);
    unloadBody.set("properties", props("parameters", unloadParameters));
    paths.set(
        "/v2/repository/models/{model}/unload",
        withModelParameter(
            repositoryOperation(
                "repositoryUnload",
                "Unload a model",
                "Requests running on the model" + " finish first.",
                unloadBody,
                List.of("400", "401", "404"))));
  }

  private static ObjectNode repositoryOperation(
      String operationId,
      String summary,
      String description,
      ObjectNode requestSchema,
      List<String> errors) {
    ObjectNode op = operation(operationId, summary, "Repository", description);
    op.putObject("requestBody")
        .put("required", false)
        .putObject("content")
        .putObject("application/json")
        .set("schema", requestSchema);
    ObjectNode responses = op.with("responses");
    responses.putObject("200").put("description", "OK");
    for (String code : errors) {
      responses
          .putObject(code)
          .put("description", "Error")
          .putObject("content")
          .putObject("application/json")
          .set("schema", ref("Error"));
    }
    ObjectNode path = Json.object();
    path.set("post", op);
    return path;
  }

  private static ObjectNode withModelParameter(ObjectNode path) {
    ((ObjectNode) path.get("post"))
        .putArray("parameters")
        .addObject()
        .put("name", "model")
        .put("in", "path")
        .put("required", true)
        .set("schema", stringSchema());
    return path;
  }

  /** Every operation has its own id: Swagger UI derives clashing ones from paths otherwise. */
  private static ObjectNode operation(
      String operationId, String summary, String tag, String description) {
    ObjectNode op = Json.object().put("operationId", operationId).put("summary", summary);
    if (description != null && !description.isEmpty()) {
      op.put("description", description);
    }
    op.putArray("tags").add(tag);
    op.putObject("responses");
    return op;
  }

  private static ObjectNode ref(String schema) {
    return Json.object().put("$ref", "#/components/schemas/" + schema);
  }

  private static ObjectNode objectSchema() {
    return Json.object().put("type", "object");
  }

  private static ObjectNode stringSchema() {
    return Json.object().put("type", "string");
  }

  private static ObjectNode props(String name, JsonNode schema) {
    ObjectNode properties = Json.object();
    properties.set(name, schema);
    return properties;
  }
}
