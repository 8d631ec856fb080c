package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Object detection end to end on a real server serving the examples: each detector's test images
 * uploaded to it give the boxes that decoding its ONNX output in Python by docs/images.md's rules
 * gave (examples/models/<model>/expected.json), so the runtime's preprocess, decoding, NMS and
 * pixel mapping agree with the documented contract: the trained {@code shapes} detector ({@code
 * yolo} rows), {@code tiny-yolov2} (TinyYOLOv2's raw region grid, {@code yolov2}, its test image
 * letterboxed) and {@code tiny-yolov2-dl4j} (the same network and weights as a Deeplearning4j zip).
 */
class DetectionIT {
  private static final Path EXAMPLES = Path.of("../examples");

  static ModelServer server;
  static TestHttp http;

  @BeforeAll
  static void start() throws Exception {
    server = ModelServer.start(ServeOptions.builder(EXAMPLES.resolve("models")).port(0).build());
    server.awaitModelsLoaded(Duration.ofMinutes(2));
    http = new TestHttp(server.port());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void everyShapesImageGivesItsRecordedDetections() throws Exception {
    assertThat(givesRecordedDetections("shapes")).isGreaterThanOrEqualTo(3);
  }

  @Test
  void theTinyYolov2ImageGivesItsRecordedDetectionsInImagePixels() throws Exception {
    assertThat(givesRecordedDetections("tiny-yolov2")).isEqualTo(1);
  }

  @Test
  void theDl4jTinyYolov2GivesItsRecordedDetections() throws Exception {
    assertThat(givesRecordedDetections("tiny-yolov2-dl4j")).isEqualTo(1);
  }

  /**
   * The DL4J zip holds the ONNX file's weights in plain DL4J layers; the same upload must give the
   * same boxes from both backends, far closer than the recorded cases' tolerance.
   */
  @Test
  void theDl4jTinyYolov2AnswersTheOnnxModelsDetections() throws Exception {
    JsonNode onnx = detections("tiny-yolov2", "tiny-yolov2-scene.png");
    JsonNode dl4j = detections("tiny-yolov2-dl4j", "tiny-yolov2-scene.png");
    assertThat(onnx).as("ONNX boxes").isNotEmpty();
    assertThat(dl4j).as("DL4J " + dl4j + " vs. ONNX " + onnx).hasSameSizeAs(onnx);
    for (int i = 0; i < onnx.size(); i++) {
      String what = "detection " + i + ": DL4J " + dl4j.get(i) + " vs. ONNX " + onnx.get(i);
      assertThat(dl4j.get(i).get("label").asText())
          .as(what)
          .isEqualTo(onnx.get(i).get("label").asText());
      for (String key : new String[] {"x", "y", "w", "h"}) {
        assertThat(dl4j.get(i).get(key).asDouble())
            .as(what + " " + key)
            .isCloseTo(onnx.get(i).get(key).asDouble(), within(1e-3));
      }
    }
  }

  /** The detections {@code model} answers for an image of examples/images uploaded to it. */
  private static JsonNode detections(String model, String image) throws Exception {
    byte[] png = Files.readAllBytes(EXAMPLES.resolve("images").resolve(image));
    var response = ImageFeedbackIT.upload(http, "/v1/models/" + model + "/predict", png);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = TestHttp.json(response);
    assertThat(body.get("model").asText()).isEqualTo(model);
    assertThat(body.get("version").asText()).isEqualTo("v1");
    return body.get("detections");
  }

  /** Uploads each case's image to {@code model}, checks its boxes; answers the cases checked. */
  private static int givesRecordedDetections(String model) throws Exception {
    JsonNode expected =
        TestHttp.MAPPER.readTree(
            EXAMPLES.resolve("models").resolve(model).resolve("expected.json").toFile());
    double pixels = expected.get("tolerancePixels").asDouble();
    double score = expected.get("scoreTolerance").asDouble();
    for (JsonNode testCase : expected.get("cases")) {
      String image = testCase.get("image").asText();
      JsonNode got = detections(model, image);
      JsonNode want = testCase.get("detections");
      assertThat(want).as(image + ": recorded boxes").isNotEmpty();
      assertThat(got).as(image + ": " + got).hasSameSizeAs(want);
      for (int i = 0; i < want.size(); i++) {
        JsonNode g = got.get(i);
        JsonNode w = want.get(i);
        String what = image + " detection " + i + ": " + g;
        assertThat(g.get("label").asText()).as(what).isEqualTo(w.get("label").asText());
        assertThat(g.get("score").asDouble())
            .as(what)
            .isCloseTo(w.get("score").asDouble(), within(score));
        for (String key : new String[] {"x", "y", "w", "h"}) {
          assertThat(g.get(key).asDouble())
              .as(what + " " + key)
              .isCloseTo(w.get(key).asDouble(), within(pixels));
        }
      }
    }
    return expected.get("cases").size();
  }
}
