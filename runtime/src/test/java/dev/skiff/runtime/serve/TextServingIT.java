package dev.skiff.runtime.serve;

import static dev.skiff.runtime.serve.TestHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sentiment example on a real server: texts in through V2 BYTES, V1 instances and the JSON
 * predict endpoint, the labels onnxruntime (Python) gave on Python's tokens out
 * (examples/models/sentiment/expected.json), and every refusal a 4xx naming the problem. A second
 * model, {@code strict}, is the same files with {@code truncation: false, padding: longest} and no
 * batching. The example itself gives no {@code padding}: its token dimension is dynamic, so each
 * request pads to its longest text and each batch to its longest request.
 */
class TextServingIT {
  private static final Path SENTIMENT = Path.of("../examples/models/sentiment");
  static ModelServer server;
  static TestHttp http;
  static JsonNode expected;

  @BeforeAll
  static void start(@TempDir Path repository) throws IOException, InterruptedException {
    for (String model : List.of("sentiment", "strict")) {
      Path version = Files.createDirectories(repository.resolve(model).resolve("v1"));
      for (String file : List.of("model.onnx", "tokenizer.json")) {
        Files.copy(SENTIMENT.resolve("v1").resolve(file), version.resolve(file));
      }
    }
    String yaml = Files.readString(SENTIMENT.resolve("model.yaml"));
    Files.writeString(repository.resolve("sentiment/model.yaml"), yaml);
    Files.writeString(
        repository.resolve("strict/model.yaml"),
        yaml.replace("name: sentiment", "name: strict")
            .replaceAll("batching: .*\n", "")
            .replace("truncation: true", "truncation: false, padding: longest"));
    expected = TestHttp.MAPPER.readTree(SENTIMENT.resolve("expected.json").toFile());
    server =
        ModelServer.start(
            ServeOptions.builder(repository).port(0).inferenceThreads(2).queueSize(64).build());
    server.awaitModelsLoaded(Duration.ofSeconds(60));
    http = new TestHttp(server.port());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static List<String> reviews() {
    List<String> texts = new ArrayList<>();
    expected.get("cases").forEach(c -> texts.add(c.get("text").asText()));
    return texts;
  }

  private static String v2Texts(List<String> texts) {
    ObjectNode request = TestHttp.MAPPER.createObjectNode();
    ObjectNode input = request.putArray("inputs").addObject();
    input.put("name", "text").put("datatype", "BYTES").putArray("shape").add(texts.size());
    ArrayNode data = input.putArray("data");
    texts.forEach(data::add);
    return request.toString();
  }

  private static String error(HttpResponse<String> response) {
    return json(response).get("error").asText();
  }

  @Test
  void v2BytesTextsGetTheRecordedLabelsAndProbabilities() {
    HttpResponse<String> response = http.post("/v2/models/sentiment/infer", v2Texts(reviews()));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode outputs = json(response).get("outputs");
    JsonNode cases = expected.get("cases");
    JsonNode labels = outputs.get(0);
    JsonNode probabilities = outputs.get(1);
    assertThat(labels.get("name").asText()).isEqualTo("label");
    assertThat(probabilities.get("shape").toString()).isEqualTo("[4,2]");
    for (int i = 0; i < cases.size(); i++) {
      String want = cases.get(i).get("label").asText();
      assertThat(labels.get("data").get(i).asInt()).isEqualTo(want.equals("positive") ? 1 : 0);
      for (int c = 0; c < 2; c++) {
        assertThat(probabilities.get("data").get(i * 2 + c).asDouble())
            .isCloseTo(cases.get(i).get("probabilities").get(c).asDouble(), within(1e-5));
      }
    }
  }

  @Test
  void v1InstancesOfStringsArePredictedOnePerInstance() {
    ArrayNode instances = TestHttp.MAPPER.createArrayNode();
    reviews().forEach(instances::add);
    HttpResponse<String> response =
        http.post(
            "/v1/models/sentiment:predict",
            TestHttp.MAPPER.createObjectNode().set("instances", instances).toString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode predictions = json(response).get("predictions");
    assertThat(predictions).hasSize(4);
    for (int i = 0; i < 4; i++) {
      String want = expected.get("cases").get(i).get("label").asText();
      assertThat(predictions.get(i).get("label").asInt())
          .isEqualTo(want.equals("positive") ? 1 : 0);
    }
  }

  @Test
  void predictWithJsonTextAnswersLabels() {
    for (JsonNode c : expected.get("cases")) {
      String body =
          TestHttp.MAPPER.createObjectNode().put("text", c.get("text").asText()).toString();
      HttpResponse<String> response =
          http.post("/v1/models/sentiment/predict", body, "Content-Type", "application/json");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode top = json(response).get("predictions").get(0);
      assertThat(top.get("label").asText()).isEqualTo(c.get("label").asText());
      double score =
          c.get("probabilities").get(c.get("label").asText().equals("positive") ? 1 : 0).asDouble();
      assertThat(top.get("score").asDouble()).isCloseTo(score, within(1e-5));
    }
  }

  /**
   * Texts of different lengths (every prefix of the reviews of at least three words) sent at once
   * to the batched model, whose batches pad to their longest text: each answer is the one the same
   * text gets alone from the unbatched model, whose lone text is not padded at all.
   */
  @Test
  void concurrentTextsOfDifferentLengthsGetTheAnswersTheyGetAlone() throws Exception {
    List<String> texts = new ArrayList<>();
    for (String review : reviews()) {
      String[] words = review.split(" ");
      for (int n = 3; n <= words.length; n++) {
        texts.add(String.join(" ", Arrays.copyOf(words, n)));
      }
    }
    List<JsonNode> alone = new ArrayList<>();
    for (String text : texts) {
      HttpResponse<String> response = http.post("/v2/models/strict/infer", v2Texts(List.of(text)));
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      alone.add(json(response).get("outputs"));
    }
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      for (String text : texts) {
        answers.add(
            pool.submit(() -> http.post("/v2/models/sentiment/infer", v2Texts(List.of(text)))));
      }
      for (int i = 0; i < answers.size(); i++) {
        HttpResponse<String> response = answers.get(i).get();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode outputs = json(response).get("outputs");
        assertThat(outputs.at("/0/data/0").asInt())
            .as("label of '%s'", texts.get(i))
            .isEqualTo(alone.get(i).at("/0/data/0").asInt());
        for (int c = 0; c < 2; c++) {
          assertThat(outputs.at("/1/data/" + c).asDouble())
              .as("probability %d of '%s'", c, texts.get(i))
              .isCloseTo(alone.get(i).at("/1/data/" + c).asDouble(), within(1e-5));
        }
      }
    }
    assertThat(http.get("/metrics").body()).contains("skiff_batch_size");
  }

  @Test
  void paddingLongestWithoutBatchingAnswersTheSameLabels() {
    HttpResponse<String> response = http.post("/v2/models/strict/infer", v2Texts(reviews()));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json(response).at("/outputs/0/data").toString()).isEqualTo("[1,0,1,0]");
  }

  @Test
  void textThatIsNotBytesIsRefused() {
    HttpResponse<String> response =
        http.post(
            "/v2/models/sentiment/infer",
            "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1.5]}]}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(error(response)).contains("input 'text' must be BYTES");
    HttpResponse<String> v1 = http.post("/v1/models/sentiment:predict", "{\"instances\":[42]}");
    assertThat(v1.statusCode()).isEqualTo(400);
    assertThat(error(v1)).contains("input 'text'");
    HttpResponse<String> predict =
        http.post(
            "/v1/models/sentiment/predict", "{\"text\": 42}", "Content-Type", "application/json");
    assertThat(predict.statusCode()).isEqualTo(400);
    assertThat(error(predict)).contains("field 'text' must be a string, not number");
  }

  @Test
  void emptyTextIsRefused() {
    HttpResponse<String> response =
        http.post("/v2/models/sentiment/infer", v2Texts(List.of("fine", "")));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(error(response)).contains("text 1 is empty");
    HttpResponse<String> predict =
        http.post(
            "/v1/models/sentiment/predict", "{\"text\": \"\"}", "Content-Type", "application/json");
    assertThat(predict.statusCode()).isEqualTo(400);
    assertThat(error(predict)).contains("text 0 is empty");
  }

  @Test
  void textOverTheByteLimitIsRefusedBeforeTokenizing() {
    String huge = "good ".repeat(2000); // 10000 bytes > 64 x maxLength 128 = 8192
    HttpResponse<String> response = http.post("/v2/models/sentiment/infer", v2Texts(List.of(huge)));
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(error(response))
        .contains("text 0 is 10000 bytes; this model takes at most 8192 bytes per text");
  }

  @Test
  void tooManyTokensWithoutTruncationIsRefused() {
    String text = "good ".repeat(200); // 200 words + [CLS] [SEP] > 128 tokens
    HttpResponse<String> response = http.post("/v2/models/strict/infer", v2Texts(List.of(text)));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(error(response))
        .contains("text 0 is 202 tokens; this model takes at most 128 (preprocess.maxLength");
    HttpResponse<String> truncated =
        http.post("/v2/models/sentiment/infer", v2Texts(List.of(text)));
    assertThat(truncated.statusCode()).as("truncation: true cuts it").isEqualTo(200);
  }
}
