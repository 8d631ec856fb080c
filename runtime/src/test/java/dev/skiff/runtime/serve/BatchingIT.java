package dev.skiff.runtime.serve;

import static dev.skiff.runtime.serve.TestHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Dynamic batching on a real server: the test models {@code mlp} and {@code mlp-batched} are the
 * same ONNX file, the second with {@code batching} in its model.yaml, so every answer with batching
 * on can be compared with the same request's answer with batching off.
 */
class BatchingIT {
  private static final int CLIENTS = 64;
  private static final int MAX_ROUNDS = 20;
  private static final Pattern SINGLE_ROW_BATCHES =
      Pattern.compile(
          "skiff_batch_size_bucket\\{model=\"mlp-batched\",version=\"v1\",le=\"1\\.0\"} (\\S+)");
  private static final Pattern ALL_BATCHES =
      Pattern.compile("skiff_batch_size_count\\{model=\"mlp-batched\",version=\"v1\"} (\\S+)");

  @AutoClose static final TestServer server = TestServer.start(TestServer.TEST_MODELS);
  static final TestHttp http = server.http();

  /** Client {@code c}'s row: 16 values no other client sends. */
  private static String row(int c, int round) {
    StringBuilder row = new StringBuilder("[");
    for (int j = 0; j < 16; j++) {
      row.append(j == 0 ? "" : ",").append(Math.sin(c * 16 + j + round * 1000.0));
    }
    return row.append("]").toString();
  }

  private static String request(String id, String rows, int count, int width) {
    return "{\"id\":\""
        + id
        + "\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":["
        + count
        + ","
        + width
        + "],\"data\":["
        + rows
        + "]}]}";
  }

  @Test
  void concurrentClientsEachGetTheirOwnAnswerAndBatchesForm() throws Exception {
    // only single-row requests here, so a model call of more than one row joined requests
    long before = batchesOfMoreThanOneRow();
    long joinedBatches = 0;
    for (int round = 0; round < MAX_ROUNDS && joinedBatches == 0; round++) {
      List<String> bodies = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        bodies.add(request("client-" + c, row(c, round), 1, 16));
      }
      List<HttpResponse<String>> batched = sendConcurrently("/v2/models/mlp-batched/infer", bodies);
      for (int c = 0; c < CLIENTS; c++) {
        HttpResponse<String> answer = batched.get(c);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode body = json(answer);
        assertThat(body.get("id").asText()).isEqualTo("client-" + c);
        assertThat(body.get("model_name").asText()).isEqualTo("mlp-batched");
        JsonNode output = body.get("outputs").get(0);
        assertThat(output.get("shape").toString()).isEqualTo("[1,4]");
        JsonNode reference =
            json(http.post("/v2/models/mlp/infer", bodies.get(c))).get("outputs").get(0);
        for (int k = 0; k < 4; k++) {
          assertThat(output.get("data").get(k).asDouble())
              .as("client %d output %d", c, k)
              .isCloseTo(reference.get("data").get(k).asDouble(), within(1e-5));
        }
      }
      joinedBatches = batchesOfMoreThanOneRow() - before;
    }
    assertThat(joinedBatches).as("batches of more than one row observed").isGreaterThan(0);
  }

  @Test
  void aBadRequestAmongConcurrentOnesFailsAloneAndMultiRowRequestsSplitBack() throws Exception {
    List<String> bodies = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      if (c == 13) {
        bodies.add(request("bad", "[1,2,3]", 1, 3));
      } else {
        int rows = 1 + c % 3;
        List<String> data = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
          data.add(row(c * 3 + r, 99).substring(1, row(c * 3 + r, 99).length() - 1));
        }
        bodies.add(request("c" + c, String.join(",", data), rows, 16));
      }
    }
    List<HttpResponse<String>> answers = sendConcurrently("/v2/models/mlp-batched/infer", bodies);
    for (int c = 0; c < CLIENTS; c++) {
      HttpResponse<String> answer = answers.get(c);
      if (c == 13) {
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(json(answer).get("error").asText())
            .isEqualTo(
                "input 'input' has shape [1, 3] but the model expects [-1, 16] (-1 is any size)");
        continue;
      }
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      JsonNode reference = json(http.post("/v2/models/mlp/infer", bodies.get(c)));
      JsonNode output = json(answer).get("outputs").get(0);
      assertThat(output.get("shape")).isEqualTo(reference.get("outputs").get(0).get("shape"));
      JsonNode want = reference.get("outputs").get(0).get("data");
      for (int k = 0; k < want.size(); k++) {
        assertThat(output.get("data").get(k).asDouble())
            .isCloseTo(want.get(k).asDouble(), within(1e-5));
      }
    }
  }

  @Test
  void queueTimeAndBatchSizeAreExported() {
    assertThat(
            http.post("/v2/models/mlp-batched/infer", request("one", row(1, 0), 1, 16))
                .statusCode())
        .isEqualTo(200);
    String metrics = http.get("/metrics").body();
    assertThat(metrics)
        .contains("skiff_batch_size_count{model=\"mlp-batched\",version=\"v1\"}")
        .contains("skiff_queue_duration_seconds_count{model=\"mlp-batched\",version=\"v1\"}")
        .contains("skiff_inference_duration_seconds_count{model=\"mlp-batched\",version=\"v1\"}")
        .doesNotContain("skiff_batch_size_count{model=\"mlp\",");
  }

  private static List<HttpResponse<String>> sendConcurrently(String path, List<String> bodies)
      throws Exception {
    try (ExecutorService clients = Executors.newFixedThreadPool(bodies.size())) {
      List<Future<HttpResponse<String>>> futures = new ArrayList<>();
      for (String body : bodies) {
        futures.add(clients.submit(() -> http.post(path, body)));
      }
      List<HttpResponse<String>> answers = new ArrayList<>();
      for (Future<HttpResponse<String>> f : futures) {
        answers.add(f.get());
      }
      return answers;
    }
  }

  /** Model calls of mlp-batched that joined more than one row, from /metrics. */
  private static long batchesOfMoreThanOneRow() {
    String metrics = http.get("/metrics").body();
    Matcher single = SINGLE_ROW_BATCHES.matcher(metrics);
    Matcher all = ALL_BATCHES.matcher(metrics);
    if (!all.find()) {
      return 0; // no batch yet
    }
    assertThat(single.find()).as(metrics).isTrue();
    return (long) (Double.parseDouble(all.group(1)) - Double.parseDouble(single.group(1)));
  }
}
