package dev.skiff.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Scenario f: feedback at scale. Two versions at 50/50 behind the router, two pods each. Each of
 * 1,000 predictions goes through the stable Service and so does its feedback, from 8 clients at
 * once: the router picks a version by weight and kube-proxy a pod, so most feedback lands on a pod
 * that did not make the prediction. Every one must be accepted, and {@code skiff_feedback_total},
 * summed over the pods of each version, must equal the outcomes this test computed from the answers
 * it got.
 */
class FeedbackE2E extends RealNodeSupport {

  private static final String MD = "iris-feedback";
  private static final int PAIRS = 1_000;
  private static final int CLIENTS = 8;
  private static final List<String> LABELS = List.of("setosa", "versicolor", "virginica");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern FEEDBACK =
      Pattern.compile(
          "^skiff_feedback_total\\{model=\"iris\",outcome=\"(correct|incorrect)\","
              + "version=\"([^\"]+)\"} ([0-9.]+)$",
          Pattern.MULTILINE);
  private static final Pattern FORWARDED =
      Pattern.compile(
          "^skiff_feedback_forwarded_total\\{model=\"iris\",outcome=\"recorded\"} ([0-9.]+)$",
          Pattern.MULTILINE);

  @Test
  void everyFeedbackThroughTheStableServiceIsAcceptedAndAccuracyPerVersionIsTheTruth()
      throws Exception {
    apply(
        iris(
            MD,
            version("v1", "iris/v1/model.onnx", 50, "replicas: 2")
                + version("v2", "iris/v2/model.onnx", 50, "replicas: 2"),
            ""));
    Duration ready = awaitReady(MD);
    awaitRouterWeights(MD, Map.of("v1", 50, "v2", 50));
    Figures.record("f. feedback", "apply → Ready (2 versions × 2 pods)", ServeE2E.seconds(ready));
    List<Pod> servers =
        pods(MD, null).stream()
            .filter(p -> "model-server".equals(component(p)))
            .filter(p -> "Running".equals(p.getStatus().getPhase()))
            .toList();
    assertThat(servers).as("two pods per version").hasSize(4);

    JsonNode cases = JSON.readTree(EXAMPLES.resolve("models/iris/expected.json").toFile());
    List<JsonNode> rows = new ArrayList<>();
    cases.get("cases").forEach(c -> rows.add(c));
    rows.removeIf(c -> c.at("/inputs/input/shape/0").asInt() != 1);

    String stable = serviceUrl(MD);
    String run = UUID.randomUUID().toString().substring(0, 8);
    Map<String, int[]> truth = new TreeMap<>(); // version -> {correct, incorrect}
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    // Several clients at once: the router then holds several connections to each version's
    // Service, which kube-proxy spreads over its pods, so predictions come from all four pods
    // (one client would reuse one connection per version, always reaching the same pod).
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        clients.execute(
            () -> {
              Random random = new Random(20261204L + client);
              for (int i = client; i < PAIRS; i += CLIENTS) {
                String id = "fb-" + run + "-" + i;
                try {
                  Pair pair = predictThenFeedback(stable, id, rows, random);
                  synchronized (truth) {
                    truth
                        .computeIfAbsent(pair.version(), v -> new int[2])[pair.correct() ? 0 : 1]++;
                  }
                } catch (Exception | AssertionError e) {
                  failures.add(id + ": " + e.getMessage());
                }
              }
            });
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(failures).as("failed pairs").isEmpty();
    assertThat(truth).containsOnlyKeys("v1", "v2");

    Map<String, int[]> counted = new TreeMap<>();
    Map<String, Integer> perPod = new TreeMap<>();
    int forwarded = 0;
    for (Pod pod : servers) {
      String metrics = metricsOf(pod);
      Matcher m = FEEDBACK.matcher(metrics);
      while (m.find()) {
        perPod.merge(
            pod.getMetadata().getName(), (int) Double.parseDouble(m.group(3)), Integer::sum);
        counted
                .computeIfAbsent(m.group(2), v -> new int[2])[
                m.group(1).equals("correct") ? 0 : 1] +=
            (int) Double.parseDouble(m.group(3));
      }
      Matcher f = FORWARDED.matcher(metrics);
      if (f.find()) {
        forwarded += (int) Double.parseDouble(f.group(1));
      }
    }
    assertThat(perPod)
        .as("feedback counted by each pod (the pod that predicted)")
        .hasSize(4)
        .allSatisfy((pod, n) -> assertThat(n).isPositive());
    for (String version : truth.keySet()) {
      assertThat(counted.get(version))
          .as("skiff_feedback_total of %s summed over its pods {correct, incorrect}", version)
          .containsExactly(truth.get(version));
    }
    int logged = 0;
    for (Pod pod : servers) {
      ExecResult lines =
          exec(
              pod,
              "model-server",
              "sh",
              "-c",
              "cat /var/lib/skiff/feedback/" + pod.getMetadata().getName() + ".jsonl | wc -l");
      assertThat(lines.exitCode()).as(lines.err()).isZero();
      logged += Integer.parseInt(lines.out().strip());
    }
    assertThat(logged).as("feedback log lines over all pods").isEqualTo(PAIRS);

    Figures.record(
        "f. feedback",
        "1,000 predict → feedback pairs through the stable Service",
        String.format(
            "%d accepted, %d failed; %d (%.0f %%) matched by a peer pod; per pod %s; %.0f pairs/s"
                + " (%d clients)",
            PAIRS - failures.size(),
            failures.size(),
            forwarded,
            100.0 * forwarded / PAIRS,
            perPod.values(),
            PAIRS / seconds,
            CLIENTS));
    Figures.record(
        "f. feedback",
        "skiff_feedback_total per version (summed over pods) = truth",
        String.format(
            "v1 %s, v2 %s; %d log lines", accuracy(truth, "v1"), accuracy(truth, "v2"), logged));
  }

  /** Which version answered a prediction, and whether the feedback said it was right. */
  private record Pair(String version, boolean correct) {}

  /**
   * One prediction through the stable Service, then feedback on it through the same Service,
   * checked against what the prediction answered.
   */
  private Pair predictThenFeedback(String stable, String id, List<JsonNode> rows, Random random)
      throws Exception {
    JsonNode row = rows.get(random.nextInt(rows.size()));
    HttpResponse<String> answer =
        send(
            post(
                stable + "/v2/models/iris/infer",
                "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":"
                    + row.at("/inputs/input/data")
                    + "}]}",
                "X-Request-Id",
                id));
    assertThat(answer.statusCode()).as("predict: %s", answer.body()).isEqualTo(200);
    String version = answer.headers().firstValue("X-Model-Version").orElseThrow();
    String predicted = LABELS.get(labelOf(JSON.readTree(answer.body())));
    // the truth is mostly what the model says, one in five times another class
    String actual =
        random.nextInt(5) == 0
            ? LABELS.get((LABELS.indexOf(predicted) + 1 + random.nextInt(2)) % 3)
            : predicted;
    HttpResponse<String> feedback =
        send(
            post(
                stable + "/v1/models/iris/feedback",
                "{\"id\":\"" + id + "\",\"label\":\"" + actual + "\"}"));
    assertThat(feedback.statusCode()).as("feedback: %s", feedback.body()).isEqualTo(200);
    JsonNode record = JSON.readTree(feedback.body());
    boolean correct = actual.equals(predicted);
    assertThat(record.get("version").asText()).as("version").isEqualTo(version);
    assertThat(record.get("correct").asBoolean()).as("outcome").isEqualTo(correct);
    return new Pair(version, correct);
  }

  private static String component(Pod pod) {
    return pod.getMetadata().getLabels().get("app.kubernetes.io/component");
  }

  private String metricsOf(Pod pod) throws Exception {
    return send(HttpRequest.newBuilder(
                URI.create("http://" + pod.getStatus().getPodIP() + ":" + HTTP_PORT + "/metrics"))
            .timeout(Duration.ofSeconds(5))
            .build())
        .body();
  }

  /** The first row's class index from the {@code label} output. */
  private static int labelOf(JsonNode response) {
    for (JsonNode output : response.get("outputs")) {
      if (output.get("name").asText().equals("label")) {
        return output.get("data").get(0).asInt();
      }
    }
    throw new AssertionError("no label output: " + response);
  }

  private static String accuracy(Map<String, int[]> counts, String version) {
    int[] c = counts.get(version);
    return String.format(
        "%d/%d correct (%.1f %%)", c[0], c[0] + c[1], 100.0 * c[0] / (c[0] + c[1]));
  }
}
