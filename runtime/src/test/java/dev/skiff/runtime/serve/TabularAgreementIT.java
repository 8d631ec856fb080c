package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Skiff serving the ONNX exports of the SVM and XGBoost examples (examples/models/digits-svm,
 * digits-xgboost) against MLServer serving the models they were exported from (mlserver-sklearn's
 * joblib, mlserver-xgboost's JSON; src/test/resources/mlserver): the whole held-out set goes to
 * both over V2 REST and every row's label must agree. Both made by
 * examples/scripts/make_tabular_models.py. MLServer's virtualenv comes from
 * hack/python-mlserver.txt via -Dskiff.mlserver.python; without it the test is skipped, saying so.
 */
class TabularAgreementIT {
  static final Path MLSERVER_MODELS = Path.of("src/test/resources/mlserver");
  static final Path EXAMPLE_MODELS = Path.of("../examples/models");
  static final List<String> MODELS = List.of("digits-svm", "digits-xgboost");

  /** What the seed's MLServer README reports on Fashion-MNIST, shown beside ours. */
  static final List<String> SEED_ACCURACY = List.of("0.864", "0.8953");

  static TestServer skiff;
  static MlServerProcess mlserver;

  @BeforeAll
  static void start() throws IOException {
    Path python = TestVirtualenv.python("skiff.mlserver.python", "hack/python-mlserver.txt");
    Path repository = Files.createTempDirectory("tabular-models");
    for (String model : MODELS) {
      Files.createSymbolicLink(
          repository.resolve(model), EXAMPLE_MODELS.resolve(model).toAbsolutePath());
    }
    skiff = TestServer.start(repository);
    mlserver = MlServerProcess.start(python, MLSERVER_MODELS, Duration.ofSeconds(90));
  }

  @AfterAll
  static void stop() {
    if (mlserver != null) {
      mlserver.close();
    }
    if (skiff != null) {
      skiff.close();
    }
  }

  @Test
  void skiffAndMlServerGiveTheSameLabelOnEveryHeldOutRow() throws IOException {
    JsonNode heldOut =
        TestHttp.MAPPER.readTree(MLSERVER_MODELS.resolve("digits-heldout.json").toFile());
    int[] truth = ints(heldOut.get("truth"));
    String body = requestBody(heldOut);
    List<String> report = new ArrayList<>();
    report.add(
        "model | rows | Skiff accuracy | MLServer accuracy | labels agreeing | seed (Fashion-MNIST)");
    for (int m = 0; m < MODELS.size(); m++) {
      String model = MODELS.get(m);
      int[] skiffLabels = labels(skiff.http(), model, body, "label");
      int[] mlserverLabels = labels(mlserver.http(), model, body, "predict");
      assertThat(skiffLabels).as("Skiff's labels of %s", model).hasSameSizeAs(truth);
      assertThat(mlserverLabels).as("MLServer's labels of %s", model).hasSameSizeAs(truth);
      List<String> differences = new ArrayList<>();
      for (int row = 0; row < truth.length; row++) {
        if (skiffLabels[row] != mlserverLabels[row]) {
          differences.add(
              "row %d: Skiff %d, MLServer %d, truth %d"
                  .formatted(row, skiffLabels[row], mlserverLabels[row], truth[row]));
        }
      }
      report.add(
          "%s | %d | %.4f | %.4f | %d of %d | %s"
              .formatted(
                  model,
                  truth.length,
                  accuracy(skiffLabels, truth),
                  accuracy(mlserverLabels, truth),
                  truth.length - differences.size(),
                  truth.length,
                  SEED_ACCURACY.get(m)));
      assertThat(differences).as("rows where Skiff and MLServer disagree on %s", model).isEmpty();
    }
    String figures = String.join("\n", report) + "\n";
    System.out.print(figures);
    Files.writeString(Path.of("target/tabular-agreement.txt"), figures, StandardCharsets.UTF_8);
  }

  /** One V2 request carrying the whole held-out set as FP32 {@code input}. */
  private static String requestBody(JsonNode heldOut) {
    ObjectNode request = TestHttp.MAPPER.createObjectNode();
    ObjectNode input = request.putArray("inputs").addObject();
    input.put("name", "input").put("datatype", "FP32");
    input.set("shape", heldOut.get("shape"));
    input.set("data", heldOut.get("data"));
    return request.toString();
  }

  /** The labels {@code output} of one V2 inference of the held-out set. */
  private static int[] labels(TestHttp http, String model, String body, String output) {
    HttpResponse<String> response = http.post("/v2/models/" + model + "/infer", body);
    assertThat(response.statusCode()).as("%s: %s", model, response.body()).isEqualTo(200);
    for (JsonNode tensor : TestHttp.json(response).get("outputs")) {
      if (tensor.get("name").asText().equals(output)) {
        return ints(tensor.get("data"));
      }
    }
    throw new AssertionError(model + " answered no output " + output + ": " + response.body());
  }

  private static int[] ints(JsonNode array) {
    int[] values = new int[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).asInt();
    }
    return values;
  }

  private static double accuracy(int[] labels, int[] truth) {
    int right = 0;
    for (int i = 0; i < truth.length; i++) {
      right += labels[i] == truth[i] ? 1 : 0;
    }
    return (double) right / truth.length;
  }
}
