package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.runtime.feedback.FeedbackLogOptions;
import dev.skiff.runtime.image.ImageDecoder;
import dev.skiff.runtime.image.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Image upload and feedback on a real server serving the examples: the committed digit PNGs give
 * their recorded labels, hostile uploads get clear 4xx answers and leave the server healthy, and
 * feedback joins predictions by request id, moves the metrics and is logged.
 */
class ImageFeedbackIT {
  private static final Path EXAMPLES = Path.of("../examples");
  private static final String BOUNDARY = "skiff-test-boundary-7d2f";

  @TempDir static Path work;
  static ModelServer server;
  static TestHttp http;
  static Path feedbackLog;

  @BeforeAll
  static void start() throws Exception {
    feedbackLog = work.resolve("feedback.jsonl");
    server =
        ModelServer.start(
            ServeOptions.builder(EXAMPLES.resolve("models"))
                .port(0)
                .maxImagePixels(ImageDecoder.DEFAULT_MAX_PIXELS)
                .feedbackLog(
                    FeedbackLogOptions.builder()
                        .path(feedbackLog)
                        .maxBytes(1 << 20)
                        .files(2)
                        .build())
                .build());
    server.awaitModelsLoaded(Duration.ofMinutes(2));
    http = new TestHttp(server.port());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static byte[] digit(int n) throws Exception {
    return Files.readAllBytes(EXAMPLES.resolve("images/digit-" + n + ".png"));
  }

  static byte[] form(String field, String filename, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String head =
        "--"
            + BOUNDARY
            + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--"
            + BOUNDARY
            + "\r\nContent-Disposition: form-data; name=\""
            + field
            + "\"; filename=\""
            + filename
            + "\"\r\nContent-Type: image/png\r\n\r\n";
    out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(content);
    out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  static HttpResponse<String> upload(
      TestHttp client, String path, byte[] image, String... headers) {
    return client.send(
        client
            .builder(path, headers)
            .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
            .POST(BodyPublishers.ofByteArray(form("file", "x", image)))
            .build());
  }

  /** The same images through the Deeplearning4j and Keras-imported twins of the classifier. */
  @ParameterizedTest
  @ValueSource(strings = {"digits-dl4j", "digits-keras"})
  void dl4jAndKerasClassifiersLabelUploadedDigits(String model) throws Exception {
    for (int n = 0; n < 10; n++) {
      var response = upload(http, "/v1/models/" + model + "/predict", digit(n));
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode body = TestHttp.json(response);
      assertThat(body.get("model").asText()).isEqualTo(model);
      assertThat(body.at("/predictions/0/label").asText())
          .as(model + " digit " + n)
          .isEqualTo(Integer.toString(n));
    }
  }

  @Test
  void everyCommittedDigitGivesItsRecordedLabel() throws Exception {
    for (int n = 0; n < 10; n++) {
      var response = upload(http, "/v1/models/digits/predict", digit(n));
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode body = TestHttp.json(response);
      assertThat(body.get("model").asText()).isEqualTo("digits");
      assertThat(body.get("version").asText()).isEqualTo("v1");
      assertThat(body.get("id").asText())
          .isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
      assertThat(body.get("predictions")).hasSize(3);
      assertThat(body.get("predictions").get(0).get("label").asText())
          .isEqualTo(Integer.toString(n));
      assertThat(body.get("predictions").get(0).get("score").asDouble()).isGreaterThan(0.5);
    }
  }

  @Test
  void hostileUploadsGetClearClientErrorsAndTheServerStaysHealthy() throws Exception {
    byte[] png = digit(3);
    byte[] corrupt = png.clone();
    for (int i = 41; i < corrupt.length - 12; i++) {
      corrupt[i] ^= 0x5A;
    }
    var gif = TestImages.encode(TestImages.rgb(4, 4), "gif");
    byte[] big = TestImages.encode(TestImages.gray(8000, 6000), "png");
    @SuppressWarnings("ArrayRecordComponent") // an upload to send, never compared
    record Case(byte[] bytes, int status, String message) {}
    List<Case> cases =
        List.of(
            new Case(corrupt, 400, "truncated or corrupt"),
            new Case(Arrays.copyOf(png, png.length - 30), 400, "truncated or corrupt"),
            new Case(gif, 415, "GIF image; send PNG or JPEG"),
            new Case("just text".getBytes(StandardCharsets.UTF_8), 415, "no known image signature"),
            new Case(new byte[0], 400, "empty"),
            new Case(big, 413, "8000x6000 = 48000000 pixels, over the limit of 40000000"),
            new Case(TestImages.pngClaiming(100_000, 100_000), 413, "10000000000 pixels"));
    for (Case c : cases) {
      var response = upload(http, "/v1/models/digits/predict", c.bytes());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(c.status());
      assertThat(TestHttp.json(response).get("error").asText()).contains(c.message());
    }
    var notForm = http.post("/v1/models/digits/predict", "{}", "Content-Type", "application/json");
    assertThat(notForm.statusCode()).isEqualTo(415);
    assertThat(TestHttp.json(notForm).get("error").asText()).contains("multipart/form-data");
    var wrongField =
        http.send(
            http.builder("/v1/models/digits/predict")
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(BodyPublishers.ofByteArray(form("image", "x.png", png)))
                .build());
    assertThat(wrongField.statusCode()).isEqualTo(400);
    assertThat(TestHttp.json(wrongField).get("error").asText())
        .contains("no field 'file'", "[note, image]");
    var noImages = upload(http, "/v1/models/iris/predict", png);
    assertThat(noImages.statusCode()).isEqualTo(400);
    assertThat(TestHttp.json(noImages).get("error").asText()).contains("takes no images");

    assertThat(http.get("/health/ready").statusCode()).isEqualTo(200);
    assertThat(upload(http, "/v1/models/digits/predict", png).statusCode()).isEqualTo(200);
    assertThat(http.get("/metrics").body())
        .contains(
            "skiff_rejected_requests_total{model=\"digits\",reason=\"unsupported_media_type\","
                + "version=\"v1\"}");
  }

  @Test
  void feedbackJoinsPredictionsByRequestIdCountsAndLogsThem() throws Exception {
    assertThat(
            upload(http, "/v1/models/digits/predict", digit(7), "X-Request-Id", "fb-7")
                .statusCode())
        .isEqualTo(200);
    assertThat(
            upload(http, "/v1/models/digits/predict", digit(2), "X-Request-Id", "fb-2")
                .statusCode())
        .isEqualTo(200);
    String iris = Files.readString(EXAMPLES.resolve("requests/iris.json"));
    assertThat(http.post("/v2/models/iris/infer", iris, "X-Request-Id", "fb-iris").statusCode())
        .isEqualTo(200);

    var right = http.post("/v1/models/digits/feedback", "{\"id\":\"fb-7\",\"label\":\"7\"}");
    assertThat(right.statusCode()).as(right.body()).isEqualTo(200);
    assertThat(TestHttp.json(right).get("correct").asBoolean()).isTrue();
    assertThat(TestHttp.json(right).get("predicted").asText()).isEqualTo("7");
    var wrong = http.post("/v1/models/digits/feedback", "{\"id\":\"fb-2\",\"correct\":false}");
    assertThat(TestHttp.json(wrong).get("correct").asBoolean()).isFalse();
    // V2 answers are remembered too: iris.json's first row is class 0, setosa.
    var byIndex = http.post("/v1/models/iris/feedback", "{\"id\":\"fb-iris\",\"label\":0}");
    assertThat(TestHttp.json(byIndex).get("correct").asBoolean()).as(byIndex.body()).isTrue();

    var again = http.post("/v1/models/digits/feedback", "{\"id\":\"fb-7\",\"label\":\"7\"}");
    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(TestHttp.json(again).get("error").asText()).contains("already has feedback");
    var unknown = http.post("/v1/models/digits/feedback", "{\"id\":\"nope\",\"correct\":true}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(TestHttp.json(unknown).get("error").asText())
        .contains("no recent prediction of model 'digits' has request id 'nope'");
    var bad = http.post("/v1/models/digits/feedback", "{\"id\":\"fb-2\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(http.post("/v1/feedback", "{\"id\":\"fb-2\",\"correct\":true}").statusCode())
        .isEqualTo(404); // several models: the alias names them
    assertThat(http.post("/v1/predict", "x").body()).contains("digits", "iris");

    String metrics = http.get("/metrics").body();
    assertThat(metrics)
        .contains("skiff_feedback_total{model=\"digits\",outcome=\"correct\",version=\"v1\"} 1.0")
        .contains("skiff_feedback_total{model=\"digits\",outcome=\"incorrect\",version=\"v1\"} 1.0")
        .contains("skiff_feedback_total{model=\"iris\",outcome=\"correct\",version=\"v1\"} 1.0");
    List<JsonNode> lines = logLines();
    assertThat(lines).extracting(l -> l.get("id").asText()).contains("fb-7", "fb-2", "fb-iris");
    JsonNode seven =
        lines.stream().filter(l -> l.get("id").asText().equals("fb-7")).findFirst().get();
    assertThat(seven.get("model").asText()).isEqualTo("digits");
    assertThat(seven.get("version").asText()).isEqualTo("v1");
    assertThat(seven.get("label").asText()).isEqualTo("7");
    assertThat(seven.get("correct").asBoolean()).isTrue();
  }

  private static List<JsonNode> logLines() throws Exception {
    try (Stream<String> lines = Files.lines(feedbackLog)) {
      return lines.map(ImageFeedbackIT::parse).toList();
    }
  }

  private static JsonNode parse(String line) {
    try {
      return TestHttp.MAPPER.readTree(line);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }

  @Test
  void aV2BytesInputCarriesAnEncodedImage() throws Exception {
    String request =
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\""
            + Base64.getEncoder().encodeToString(digit(4))
            + "\"]}],\"outputs\":[{\"name\":\"label\"}]}";
    var response = http.post("/v2/models/digits/infer", request);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(TestHttp.json(response).get("outputs").get(0).get("data").get(0).asInt())
        .isEqualTo(4);
    String gif = Base64.getEncoder().encodeToString(TestImages.encode(TestImages.rgb(2, 2), "gif"));
    var refused =
        http.post(
            "/v2/models/digits/infer",
            "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"BYTES\",\"shape\":[1],"
                + "\"data\":[\""
                + gif
                + "\"]}]}");
    assertThat(refused.statusCode()).isEqualTo(415);
    var two =
        http.post(
            "/v2/models/digits/infer",
            "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"BYTES\",\"shape\":[2],"
                + "\"data\":[\"a\",\"b\"]}]}");
    assertThat(TestHttp.json(two).get("error").asText()).contains("shape [1]");
  }

  @Test
  void withOneModelTheAliasesNeedNoModelName() throws Exception {
    Path repo = work.resolve("one");
    copy(EXAMPLES.resolve("models/digits"), repo.resolve("digits"));
    try (ModelServer one = ModelServer.start(ServeOptions.builder(repo).port(0).build())) {
      one.awaitModelsLoaded(Duration.ofSeconds(60));
      TestHttp client = new TestHttp(one.port());
      var response = upload(client, "/v1/predict", digit(5), "X-Request-Id", "alias-5");
      assertThat(TestHttp.json(response).get("predictions").get(0).get("label").asText())
          .isEqualTo("5");
      var feedback = client.post("/v1/feedback", "{\"id\":\"alias-5\",\"label\":5}");
      assertThat(TestHttp.json(feedback).get("correct").asBoolean()).as(feedback.body()).isTrue();
    }
  }

  private static void copy(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }
}
