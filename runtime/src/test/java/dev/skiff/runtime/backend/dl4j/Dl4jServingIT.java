package dev.skiff.runtime.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.runtime.serve.ModelServer;
import dev.skiff.runtime.serve.ServeOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DL4J and Keras models served on real ports: the examples repository (digits-dl4j, digits-keras)
 * and a test repository with the ONNX twin, a schema mismatch and a truncated zip.
 */
class Dl4jServingIT {
  static final Path EXAMPLES = Path.of("../examples/models");
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final HttpClient CLIENT = HttpClient.newHttpClient();

  static ModelServer examples;
  static ModelServer testModels;

  @BeforeAll
  static void start() throws InterruptedException {
    examples = ModelServer.start(ServeOptions.builder(EXAMPLES).port(0).build());
    testModels =
        ModelServer.start(
            ServeOptions.builder(Path.of("src/test/resources/dl4j-models")).port(0).build());
    examples.awaitModelsLoaded(Duration.ofMinutes(2));
    testModels.awaitModelsLoaded(Duration.ofMinutes(2));
  }

  @AfterAll
  static void stop() {
    examples.close();
    testModels.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"digits-dl4j", "digits-keras"})
  void recordedCasesGiveRecordedAnswers(String model) throws Exception {
    JsonNode expected =
        MAPPER.readTree(EXAMPLES.resolve(model + "/expected.json").toFile()).get("cases");
    for (JsonNode testCase : expected) {
      JsonNode body = infer(examples, model, testCase.at("/inputs/input"));
      assertThat(body.get("model_name").asText()).isEqualTo(model);
      JsonNode output = body.at("/outputs/0");
      JsonNode want = testCase.at("/outputs/probabilities");
      assertThat(output.get("name").asText()).isEqualTo("probabilities");
      assertThat(output.get("datatype").asText()).isEqualTo("FP32");
      assertThat(output.get("shape")).isEqualTo(want.get("shape"));
      for (int i = 0; i < want.get("data").size(); i++) {
        assertThat(output.get("data").get(i).asDouble())
            .isCloseTo(want.get("data").get(i).asDouble(), within(1e-4));
      }
    }
  }

  @Test
  void dl4jKerasAndOnnxOfTheSameNetworkAgreeOverHttp() throws Exception {
    JsonNode cases =
        MAPPER.readTree(EXAMPLES.resolve("digits-dl4j/expected.json").toFile()).get("cases");
    for (JsonNode testCase : cases) {
      JsonNode input = testCase.at("/inputs/input");
      JsonNode dl4j = infer(examples, "digits-dl4j", input).at("/outputs/0/data");
      JsonNode keras = infer(examples, "digits-keras", input).at("/outputs/0/data");
      JsonNode onnx = infer(testModels, "digits-onnx", input).at("/outputs/0/data");
      for (int i = 0; i < dl4j.size(); i++) {
        assertThat(keras.get(i).asDouble()).isCloseTo(dl4j.get(i).asDouble(), within(1e-5));
        assertThat(onnx.get(i).asDouble()).isCloseTo(dl4j.get(i).asDouble(), within(1e-5));
      }
    }
  }

  @Test
  void metadataNamesTheBackendAndTheDeclaredTensors() throws Exception {
    JsonNode dl4j = json(get(examples, "/v2/models/digits-dl4j"));
    assertThat(dl4j.get("platform").asText()).isEqualTo("dl4j_zip");
    assertThat(dl4j.at("/inputs/0/name").asText()).isEqualTo("input");
    assertThat(dl4j.at("/inputs/0/shape").toString()).isEqualTo("[-1,64]");
    assertThat(dl4j.at("/outputs/0/shape").toString()).isEqualTo("[-1,10]");
    JsonNode keras = json(get(examples, "/v2/models/digits-keras"));
    assertThat(keras.get("platform").asText()).isEqualTo("keras_hdf5");
  }

  @Test
  void aWrongShapeIsA400NamingTheTensor() throws Exception {
    ObjectNode request = MAPPER.createObjectNode();
    ObjectNode input = request.putArray("inputs").addObject();
    input.put("name", "input").put("datatype", "FP32");
    input.putArray("shape").add(1).add(3);
    input.putArray("data").add(1).add(2).add(3);
    HttpResponse<String> response = post(examples, "/v2/models/digits-dl4j/infer", request);
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).get("error").asText()).contains("input").contains("[-1, 64]");
  }

  @Test
  void schemaMismatchAndCorruptZipFailOnlyTheirOwnModels() throws Exception {
    HttpResponse<String> ready = get(testModels, "/health/ready");
    assertThat(ready.statusCode()).isEqualTo(503);
    JsonNode models = json(ready).get("models");
    assertThat(models.at("/digits-onnx/v1/state").asText()).isEqualTo("READY");
    assertThat(models.at("/digits-dl4j-mismatch/v1/state").asText()).isEqualTo("FAILED");
    assertThat(models.at("/digits-dl4j-mismatch/v1/error").asText())
        .isEqualTo(
            "model 'digits-dl4j-mismatch' version 'v1': input 'input' is declared FP32 [-1, 65]"
                + " but the model file has FP32 [-1, 64]");
    assertThat(models.at("/corrupt-zip/v1/state").asText()).isEqualTo("FAILED");
    assertThat(models.at("/corrupt-zip/v1/error").asText())
        .contains("model.zip is not a readable Deeplearning4j ModelSerializer zip");
    assertThat(get(examples, "/health/ready").statusCode()).isEqualTo(200);
  }

  static JsonNode infer(ModelServer server, String model, JsonNode input) throws Exception {
    ObjectNode request = MAPPER.createObjectNode();
    ((ObjectNode) request.putArray("inputs").addObject().put("name", "input"))
        .setAll((ObjectNode) input);
    HttpResponse<String> response = post(server, "/v2/models/" + model + "/infer", request);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json(response);
  }

  static HttpResponse<String> post(ModelServer server, String path, JsonNode body)
      throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(ModelServer server, String path)
      throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return MAPPER.readTree(response.body());
  }
}
