package dev.skiff.runtime.serve;

import static dev.skiff.runtime.serve.TestHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The example models served on a real port and called with a real HTTP client. */
class ServingIT {
  static final Path EXAMPLES = Path.of("../examples");
  static ModelServer server;
  static TestHttp http;

  @BeforeAll
  static void start() throws InterruptedException {
    server =
        ModelServer.start(
            ServeOptions.builder(EXAMPLES.resolve("models"))
                .port(0)
                .inferenceThreads(2)
                .queueSize(64)
                .maxPayloadBytes(256 * 1024)
                .build());
    server.awaitModelsLoaded(Duration.ofSeconds(60));
    http = new TestHttp(server.port());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"iris", "digits", "digits-svm", "digits-xgboost"})
  void recordedCasesGiveRecordedAnswers(String model) throws IOException {
    JsonNode expected =
        TestHttp.MAPPER.readTree(EXAMPLES.resolve("models/" + model + "/expected.json").toFile());
    for (JsonNode testCase : expected.get("cases")) {
      ObjectNode request = TestHttp.MAPPER.createObjectNode();
      var inputs = request.putArray("inputs");
      testCase
          .get("inputs")
          .properties()
          .forEach(
              e ->
                  ((ObjectNode) inputs.addObject().put("name", e.getKey()))
                      .setAll((ObjectNode) e.getValue()));
      HttpResponse<String> response =
          http.post("/v2/models/" + model + "/infer", request.toString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode body = json(response);
      assertThat(body.get("model_name").asText()).isEqualTo(model);
      assertThat(body.get("model_version").asText()).isEqualTo("v1");
      double tolerance = testCase.get("tolerance").asDouble();
      for (JsonNode output : body.get("outputs")) {
        JsonNode want = testCase.get("outputs").get(output.get("name").asText());
        assertThat(output.get("datatype")).isEqualTo(want.get("datatype"));
        assertThat(output.get("shape")).isEqualTo(want.get("shape"));
        for (int i = 0; i < want.get("data").size(); i++) {
          assertThat(output.get("data").get(i).asDouble())
              .isCloseTo(want.get("data").get(i).asDouble(), within(tolerance));
        }
      }
    }
  }

  @Test
  void readmeRequestAnswersSetosaAndVirginica() throws IOException {
    String body = Files.readString(EXAMPLES.resolve("requests/iris.json"));
    JsonNode response =
        json(
            http.post(
                "/v2/models/iris/infer",
                body,
                "Content-Type",
                "application/x-www-form-urlencoded"));
    assertThat(response.at("/outputs/0/name").asText()).isEqualTo("label");
    assertThat(response.at("/outputs/0/data").toString()).isEqualTo("[0,2]");
  }

  @Test
  void kserveV1PredictAnswersOnePredictionPerInstance() throws IOException {
    String body = Files.readString(EXAMPLES.resolve("requests/iris-v1.json"));
    HttpResponse<String> response = http.post("/v1/models/iris:predict", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode predictions = json(response).get("predictions");
    assertThat(predictions).hasSize(2);
    assertThat(predictions.get(0).get("label").asInt()).isEqualTo(0);
    assertThat(predictions.get(1).get("label").asInt()).isEqualTo(2);
    assertThat(predictions.get(1).get("probabilities")).hasSize(3);
    assertThat(json(http.get("/v1/models")).get("models").toString())
        .isEqualTo(
            "[\"digits\",\"digits-dl4j\",\"digits-keras\",\"digits-svm\",\"digits-xgboost\","
                + "\"iris\",\"sentiment\",\"shapes\",\"tiny-yolov2\",\"tiny-yolov2-dl4j\"]");
    assertThat(json(http.get("/v1/models/iris")).get("ready").asBoolean()).isTrue();
    HttpResponse<String> badV1 = http.post("/v1/models/iris:predict", "{\"instances\":[[1,2,3]]}");
    assertThat(badV1.statusCode()).isEqualTo(400);
    assertThat(json(badV1).get("error").asText())
        .contains("has shape [1, 3] but the model expects [-1, 4]");
  }

  @Test
  void serverAndModelMetadataAndReadiness() {
    HttpResponse<String> live = http.get("/v2/health/live");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.body()).isEqualTo("{\"live\":true}");
    HttpResponse<String> serverReady = http.get("/v2/health/ready");
    assertThat(serverReady.statusCode()).isEqualTo(200);
    assertThat(serverReady.body()).isEqualTo("{\"ready\":true}");
    HttpResponse<String> kserveV1Live = http.get("/");
    assertThat(kserveV1Live.statusCode()).isEqualTo(200);
    assertThat(kserveV1Live.body()).isEqualTo("{\"status\":\"alive\"}");
    assertThat(http.get("/health/live").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = http.get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(json(ready).at("/models/iris/v1/state").asText()).isEqualTo("READY");
    assertThat(json(http.get("/v2")).get("name").asText()).isEqualTo("skiff");
    JsonNode metadata = json(http.get("/v2/models/iris/versions/v1"));
    assertThat(metadata.get("platform").asText()).isEqualTo("onnxruntime_onnx");
    assertThat(metadata.get("versions").toString()).isEqualTo("[\"v1\"]");
    assertThat(metadata.get("inputs").toString())
        .isEqualTo("[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,4]}]");
    HttpResponse<String> modelReady = http.get("/v2/models/iris/ready");
    assertThat(modelReady.statusCode()).isEqualTo(200);
    assertThat(modelReady.body()).isEqualTo("{\"name\":\"iris\",\"ready\":true}");
    assertThat(http.get("/v2/models/iris/versions/v1/ready").body())
        .isEqualTo("{\"name\":\"iris\",\"ready\":true}");
  }

  @Test
  void requestIdIsEchoedAndUsedAsTheInferenceId() throws IOException {
    String body = Files.readString(EXAMPLES.resolve("requests/iris.json"));
    HttpResponse<String> response =
        http.post("/v2/models/iris/infer", body, "X-Request-Id", "req-42");
    assertThat(response.headers().firstValue("X-Request-Id")).hasValue("req-42");
    assertThat(json(response).get("id").asText()).isEqualTo("req-42");
    HttpResponse<String> generated = http.get("/v2/models/iris");
    assertThat(generated.headers().firstValue("X-Request-Id")).get().asString().hasSize(36);
    String withId = body.replaceFirst("\\{", "{\"id\":\"client-id\",");
    assertThat(json(http.post("/v2/models/iris/infer", withId)).get("id").asText())
        .isEqualTo("client-id");
  }

  @Test
  void outputsSelectWhatIsReturned() {
    String body =
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[5.1,3.5,1.4,0.2]}],\"outputs\":[{\"name\":\"probabilities\"}]}";
    JsonNode response = json(http.post("/v2/models/iris/versions/v1/infer", body));
    assertThat(response.get("outputs")).hasSize(1);
    assertThat(response.at("/outputs/0/name").asText()).isEqualTo("probabilities");
    HttpResponse<String> unknown =
        http.post("/v2/models/iris/infer", body.replace("probabilities\"}", "nope\"}"));
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(json(unknown).get("error").asText())
        .isEqualTo("unknown output 'nope'; the model has [label, probabilities]");
  }

  @Test
  void badRequestsGetClearJsonErrorsAndTheServerKeepsServing() {
    record Case(String path, String body, int status, String message) {}
    String valid =
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,2,3,4]}]}";
    List<Case> cases =
        List.of(
            new Case("/v2/models/iris/infer", "{\"inputs\":", 400, "malformed JSON"),
            new Case(
                "/v2/models/iris/infer",
                valid.replace("\"input\"", "\"petals\""),
                400,
                "missing input 'input'"),
            new Case(
                "/v2/models/iris/infer",
                valid.replace("FP32", "FP64"),
                400,
                "has datatype FP64 but the model expects FP32"),
            new Case(
                "/v2/models/iris/infer",
                valid.replace("[1,4]", "[2,2]"),
                400,
                "has shape [2, 2] but the model expects [-1, 4]"),
            new Case(
                "/v2/models/iris/infer",
                valid.replace("[1,2,3,4]", "[1,2,3]"),
                400,
                "needs 4 values, data has 3"),
            new Case(
                "/v2/models/iris/infer",
                valid.replace("[1,2,3,4]", "[1,2,\"x\",4]"),
                400,
                "found the string \"x\""),
            new Case(
                "/v2/models/iris/infer",
                valid.replace("[1,2,3,4]", "[" + "[".repeat(60) + "]".repeat(60) + "]"),
                400,
                "nesting depth"),
            new Case("/v2/models/nope/infer", valid, 404, "model 'nope' not found"),
            new Case("/v2/models/iris/versions/v7/infer", valid, 404, "has no version 'v7'"),
            new Case(
                "/v2/models/iris/infer",
                "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":["
                    + "1,".repeat(200_000)
                    + "1]}]}",
                413,
                "larger than the server's limit"));
    for (Case c : cases) {
      HttpResponse<String> response = http.post(c.path(), c.body());
      assertThat(response.statusCode())
          .as(c.toString().substring(0, Math.min(200, c.toString().length())))
          .isEqualTo(c.status());
      assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(json(response).get("error").asText()).contains(c.message());
    }
    HttpResponse<String> wrongMethod = http.get("/v2/models/iris/infer");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("POST");
    assertThat(http.method("DELETE", "/v2/models/iris").statusCode()).isEqualTo(405);
    HttpResponse<String> noRoute = http.get("/v3/whatever");
    assertThat(noRoute.statusCode()).isEqualTo(404);
    assertThat(json(noRoute).get("error").asText()).contains("no endpoint at /v3/whatever");
    assertThat(http.post("/v2/models/iris/infer", valid).statusCode()).isEqualTo(200);
  }

  @Test
  void modelLimitsRefuseOversizedBatches() {
    String rows = String.join(",", Collections.nCopies(1025 * 4, "1"));
    HttpResponse<String> response =
        http.post(
            "/v2/models/iris/infer",
            "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1025,4],\"data\":["
                + rows
                + "]}]}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).get("error").asText())
        .isEqualTo(
            "input 'input' has 1025 rows; model 'iris' accepts at most 1024 per request"
                + " (limits.maxBatchSize)");
  }

  @Test
  void concurrentClientsAllGetAnswers() throws Exception {
    String body =
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[6.3,3.3,6.0,2.5]}]}";
    try (ExecutorService clients = Executors.newFixedThreadPool(16)) {
      List<Future<HttpResponse<String>>> responses = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        responses.add(clients.submit(() -> http.post("/v2/models/iris/infer", body)));
      }
      for (Future<HttpResponse<String>> f : responses) {
        HttpResponse<String> r = f.get();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).at("/outputs/0/data/0").asInt()).isEqualTo(2);
      }
    }
  }

  @Test
  void metricsCountRequestsPerModelVersionAndCode() {
    http.post(
        "/v2/models/iris/infer",
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,2,3,4]}]}");
    http.post(
        "/v2/models/iris/infer",
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,2,3]}]}");
    HttpResponse<String> metrics = http.get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type"))
        .get()
        .asString()
        .startsWith("text/plain");
    assertThat(metrics.body())
        .containsPattern("skiff_requests_total\\{code=\"200\",model=\"iris\",version=\"v1\"} [1-9]")
        .containsPattern("skiff_requests_total\\{code=\"400\",model=\"iris\",version=\"v1\"} [1-9]")
        .containsPattern(
            "skiff_rejected_requests_total\\{model=\"iris\",reason=\"invalid_request\",version=\"v1\"} [1-9]")
        .contains(
            "skiff_request_duration_seconds_bucket{model=\"iris\",version=\"v1\",le=\"0.001\"}")
        .contains("skiff_inference_duration_seconds_count{model=\"iris\",version=\"v1\"}")
        .contains("skiff_queue_duration_seconds_sum{model=\"iris\",version=\"v1\"}")
        .contains("skiff_model_loaded{model=\"digits\",version=\"v1\"} 1.0")
        .contains("skiff_model_load_duration_seconds{model=\"iris\",version=\"v1\"}")
        .contains("skiff_inflight_requests{model=\"iris\",version=\"v1\"} 0.0")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void openApiDescribesEachModelsTensorsAndSwaggerUiIsServed() {
    JsonNode doc = json(http.get("/openapi"));
    assertThat(doc.get("openapi").asText()).startsWith("3.");
    assertThat(doc.at("/paths").has("/v2/models/iris/infer")).isTrue();
    assertThat(doc.at("/paths").has("/v1/models/digits:predict")).isTrue();
    assertThat(
            doc.at("/paths/~1v1~1models~1digits~1predict/post/requestBody/content")
                .has("multipart/form-data"))
        .isTrue();
    assertThat(doc.at("/paths").has("/v1/models/iris/predict")).isFalse(); // no preprocess
    assertThat(
            doc.at(
                    "/paths/~1v1~1models~1iris~1feedback/post/requestBody/content/application~1json/schema/required/0")
                .asText())
        .isEqualTo("id");
    JsonNode irisInput =
        doc.at("/components/schemas/iris_V2Request/properties/inputs/items/oneOf/0");
    assertThat(irisInput.at("/properties/name/enum/0").asText()).isEqualTo("input");
    assertThat(irisInput.at("/properties/datatype/enum/0").asText()).isEqualTo("FP32");
    assertThat(irisInput.at("/properties/shape/maxItems").asInt()).isEqualTo(2);
    assertThat(http.get("/openapi?format=yaml").body()).contains("openapi: \"3.0.3\"");
    HttpResponse<String> docs = http.get("/docs");
    assertThat(docs.statusCode()).isEqualTo(200);
    assertThat(docs.body()).contains("SwaggerUIBundle").contains("/openapi");
    HttpResponse<String> bundle = http.get("/docs/swagger-ui-bundle.js");
    assertThat(bundle.statusCode()).isEqualTo(200);
    assertThat(bundle.body().length()).isGreaterThan(100_000);
  }

  /** ReDoc renders the same document, its script served by this server (no CDN). */
  @Test
  void redocShowsTheOpenApiDocumentWithALocallyServedScript() {
    HttpResponse<String> page = http.get("/redoc");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).get().asString().startsWith("text/html");
    assertThat(page.body()).contains("<redoc spec-url=\"/openapi\">");
    Matcher script = Pattern.compile("<script src=\"([^\"]+)\"").matcher(page.body());
    assertThat(script.find()).as(page.body()).isTrue();
    assertThat(script.group(1)).startsWith("/redoc/");
    HttpResponse<String> bundle = http.get(script.group(1));
    assertThat(bundle.statusCode()).isEqualTo(200);
    assertThat(bundle.headers().firstValue("Content-Type")).get().asString().contains("javascript");
    assertThat(bundle.body()).hasSizeGreaterThan(100_000).contains("Redoc");
    JsonNode paths = json(http.get("/openapi")).get("paths");
    assertThat(paths.has("/redoc") && paths.has("/docs") && paths.has("/")).isTrue();
  }

  @Test
  void everyOpenApiOperationHasItsOwnId() {
    JsonNode doc = json(http.get("/openapi"));
    List<String> ids = new ArrayList<>();
    doc.get("paths")
        .properties()
        .forEach(path -> path.getValue().forEach(op -> ids.add(op.path("operationId").asText())));
    assertThat(ids).doesNotContain("").doesNotHaveDuplicates();
    assertThat(ids).contains("digits_predict", "digits_predictImage", "shapes_infer");
  }

  /** Each JSON body example the document gives is sent to its operation and answered 200. */
  @Test
  void everyOpenApiExampleIsAccepted() {
    JsonNode doc = json(http.get("/openapi"));
    int examples = doc.findValues("example").size();
    List<String> sent = new ArrayList<>();
    doc.get("paths")
        .properties()
        .forEach(
            path -> {
              JsonNode content = path.getValue().at("/post/requestBody/content/application~1json");
              JsonNode schema = content.path("schema");
              if (schema.has("$ref")) {
                schema = doc.at(schema.get("$ref").asText().substring(1));
              }
              JsonNode example =
                  content.has("example") ? content.get("example") : schema.get("example");
              if (example == null) {
                return;
              }
              HttpResponse<String> response = http.post(path.getKey(), example.toString());
              assertThat(response.statusCode())
                  .as(path.getKey() + " with its example: " + response.body())
                  .isEqualTo(200);
              sent.add(path.getKey());
            });
    assertThat(sent).contains("/v2/models/shapes/infer", "/v1/models/iris:predict");
    // every example in the document was one of those bodies (an example per schema, not per path)
    assertThat(doc.at("/components/schemas").findValues("example")).hasSize(examples);
  }

  @Test
  void swaggerUiIndexPageIsSkiffsNotThePetstore() {
    HttpResponse<String> index = http.get("/docs/index.html");
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.body()).contains("/openapi").doesNotContain("petstore");
  }
}
