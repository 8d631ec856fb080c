package dev.skiff.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Scenario a: a model served for real. The init container fetches the model over http:// from the
 * in-cluster store and verifies its sha256, the real probes make the pod ready, {@code kubectl wait
 * --for=condition=Ready} returns, and inference through the stable Service answers what
 * examples/models/&lt;model&gt;/expected.json records. The pods run as non-root with a read-only
 * root filesystem. A Deeplearning4j model shows that /tmp holds its native libraries. The digits
 * example takes image uploads through the Service with the resource's preprocess and postprocess.
 */
class ServeE2E extends RealNodeSupport {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  Map<String, Path> storeFiles() {
    Map<String, Path> files = new LinkedHashMap<>(super.storeFiles());
    files.put("digits-dl4j/v1/model.zip", EXAMPLES.resolve("models/digits-dl4j/v1/model.zip"));
    files.put("digits/v1/model.onnx", EXAMPLES.resolve("models/digits/v1/model.onnx"));
    return files;
  }

  @Test
  void irisIsFetchedVerifiedAndServedThroughTheStableService() throws Exception {
    apply(iris("iris", version("v1", "iris/v1/model.onnx", null, ""), ""));
    long start = System.nanoTime();
    Process wait =
        new ProcessBuilder(
                "kubectl",
                "-n",
                namespace,
                "wait",
                "--for=condition=Ready",
                "md/iris",
                "--timeout=180s")
            .redirectErrorStream(true)
            .start();
    assertThat(wait.waitFor(200, TimeUnit.SECONDS)).as("kubectl wait returned").isTrue();
    String waitOutput = new String(wait.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(wait.exitValue()).as("kubectl wait: %s", waitOutput).isZero();
    Duration ready = Duration.ofNanos(System.nanoTime() - start);
    Figures.record("a. serve", "apply → Ready (kubectl wait)", seconds(ready));
    Figures.record(
        "a. serve",
        "Ready → first answer through the Service",
        seconds(awaitAnswer("iris", "/v2")));

    assertAnswersAsRecorded("iris", serviceUrl("iris"));

    Pod pod = pods("iris", "v1").getFirst();
    String fetchLog =
        client
            .pods()
            .inNamespace(namespace)
            .withName(pod.getMetadata().getName())
            .inContainer("fetch-model")
            .getLog();
    assertThat(fetchLog)
        .as("the init container fetched and verified the model")
        .contains(store.uri("iris/v1/model.onnx"))
        .contains("sha256 " + store.sha256("iris/v1/model.onnx"));
    assertRunsAsNonRootOnReadOnlyRoot(pod, "model-server");
    // The init container has finished, so its settings are read from the pod it ran in.
    var fetch = pod.getSpec().getInitContainers().getFirst().getSecurityContext();
    assertThat(fetch.getReadOnlyRootFilesystem()).isTrue();
    assertThat(fetch.getRunAsNonRoot()).isTrue();
    assertThat(pod.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(65532L);
  }

  @Test
  void deeplearning4jModelUnpacksItsNativeLibrariesIntoTmp() throws Exception {
    String md =
        """
        apiVersion: skiff.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: digits-dl4j}
        spec:
          schema:
            inputs: [{name: input, datatype: FP32, shape: [-1, 64]}]
            outputs: [{name: probabilities, datatype: FP32, shape: [-1, 10]}]
          versions:
            - {name: v1, uri: "%s", sha256: "%s", format: dl4j}
          runtime:
            resources:
              requests: {cpu: 100m, memory: 512Mi}
              limits: {memory: 2Gi}
            env: [{name: SKIFF_FETCH_ALLOW_PRIVATE_ADDRESSES, value: "true"}]
        """
            .formatted(
                store.uri("digits-dl4j/v1/model.zip"), store.sha256("digits-dl4j/v1/model.zip"));
    apply(md);
    Duration ready = awaitReady("digits-dl4j");
    Figures.record("a. serve", "DL4J model apply → Ready", seconds(ready));
    awaitAnswer("digits-dl4j", "/v2");
    assertAnswersAsRecorded("digits-dl4j", serviceUrl("digits-dl4j"));
    Pod pod = pods("digits-dl4j", "v1").getFirst();
    ExecResult tmp = exec(pod, "model-server", "du", "-sm", "/tmp");
    assertThat(tmp.exitCode()).isZero();
    Figures.record(
        "a. serve", "DL4J natives unpacked in /tmp", tmp.out().strip().split("\\s+", 2)[0] + " MB");
  }

  /**
   * examples/digits.yaml as a user applies it, with the model from the store: its schema's
   * preprocess, postprocess and server limits reach the pod, so the ten committed digit images,
   * uploaded through the stable Service, answer their own labels, and a body over the resource's
   * maxPayloadBytes is refused with 413.
   */
  @Test
  void digitUploadsThroughTheStableServiceAnswerTheirLabels() throws Exception {
    String example = Files.readString(EXAMPLES.resolve("digits.yaml"));
    String privateStore =
        "    env: [{name: SKIFF_FETCH_ALLOW_PRIVATE_ADDRESSES, value: \"true\"}]\n";
    String md =
        example
            .replace(
                "uri: https://models.example.com/digits/v1/model.onnx",
                "uri: \"%s\"\n      sha256: \"%s\""
                    .formatted(
                        store.uri("digits/v1/model.onnx"), store.sha256("digits/v1/model.onnx")))
            .replace("  runtime:\n", "  runtime:\n" + privateStore);
    assertThat(md)
        .as("the example still has the lines this test replaces")
        .contains(store.uri("digits/v1/model.onnx"))
        .contains(privateStore);
    apply(md);
    Figures.record(
        "a. serve", "digits (examples/digits.yaml) apply → Ready", seconds(awaitReady("digits")));
    awaitAnswer("digits", "/v2");
    String predict = serviceUrl("digits") + "/v1/models/digits/predict";
    String boundary = "skiff-e2e-" + UUID.randomUUID();
    int right = 0;
    for (int digit = 0; digit < 10; digit++) {
      byte[] png = Files.readAllBytes(EXAMPLES.resolve("images/digit-" + digit + ".png"));
      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(URI.create(predict))
                  .timeout(Duration.ofSeconds(30))
                  .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                  .POST(HttpRequest.BodyPublishers.ofByteArray(upload(boundary, png)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as("digit %d: %s", digit, answer.body()).isEqualTo(200);
      JsonNode predictions = JSON.readTree(answer.body()).get("predictions");
      assertThat(predictions).as("top 3 of digit %d", digit).hasSize(3);
      assertThat(predictions.get(0).get("label").asText())
          .as("digit %d: %s", digit, answer.body())
          .isEqualTo(Integer.toString(digit));
      right++;
    }
    // Like curl, ask before sending a large body: a server that refuses it answers at once.
    HttpResponse<String> tooLarge =
        send(
            HttpRequest.newBuilder(URI.create(predict))
                .timeout(Duration.ofSeconds(30))
                .expectContinue(true)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[2 * 1024 * 1024]))
                .build());
    assertThat(tooLarge.statusCode()).as(tooLarge.body()).isEqualTo(413);
    Figures.record(
        "a. serve",
        "digit uploads through the stable Service",
        right + " of 10 answered their label; 2 MiB body → 413 (spec.runtime.server)");
  }

  private static byte[] upload(String boundary, byte[] png) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"digit.png\""
                + "\r\nContent-Type: image/png\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    body.writeBytes(png);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return body.toByteArray();
  }

  /** Every case of examples/models/{model}/expected.json, as a V2 request through {@code url}. */
  private void assertAnswersAsRecorded(String model, String url) throws Exception {
    JsonNode expected =
        JSON.readTree(EXAMPLES.resolve("models/" + model + "/expected.json").toFile());
    int cases = 0;
    for (JsonNode c : expected.get("cases")) {
      ObjectNode request = JSON.createObjectNode();
      ArrayNode inputs = request.putArray("inputs");
      for (Iterator<Map.Entry<String, JsonNode>> it = c.get("inputs").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> input = it.next();
        ObjectNode tensor = ((ObjectNode) input.getValue().deepCopy()).put("name", input.getKey());
        inputs.add(tensor);
      }
      HttpResponse<String> response =
          send(post(url + "/v2/models/" + model + "/infer", JSON.writeValueAsString(request)));
      assertThat(response.statusCode()).as("%s: %s", model, response.body()).isEqualTo(200);
      JsonNode outputs = JSON.readTree(response.body()).get("outputs");
      double tolerance = c.path("tolerance").asDouble(1e-4);
      for (Iterator<Map.Entry<String, JsonNode>> it = c.get("outputs").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> want = it.next();
        JsonNode got = null;
        for (JsonNode o : outputs) {
          if (want.getKey().equals(o.get("name").asText())) {
            got = o;
          }
        }
        assertThat(got).as("output %s in %s", want.getKey(), response.body()).isNotNull();
        assertThat(got.get("datatype")).isEqualTo(want.getValue().get("datatype"));
        assertThat(got.get("shape")).isEqualTo(want.getValue().get("shape"));
        JsonNode data = want.getValue().get("data");
        assertThat(got.get("data").size()).isEqualTo(data.size());
        for (int i = 0; i < data.size(); i++) {
          assertThat(got.get("data").get(i).asDouble())
              .as("%s %s[%d]", model, want.getKey(), i)
              .isCloseTo(data.get(i).asDouble(), within(tolerance));
        }
      }
      cases++;
    }
    assertThat(cases).as("cases in expected.json of %s", model).isPositive();
  }

  private void assertRunsAsNonRootOnReadOnlyRoot(Pod pod, String container) throws Exception {
    ExecResult id = exec(pod, container, "id", "-u");
    assertThat(id.exitCode()).isZero();
    assertThat(id.out().strip()).as("uid in %s", container).isEqualTo("65532");
    ExecResult write = exec(pod, container, "sh", "-c", "echo x > /written-by-e2e");
    assertThat(write.exitCode()).as("writing to / in %s", container).isNotZero();
    assertThat(write.err()).contains("Read-only file system");
    ExecResult tmp = exec(pod, container, "sh", "-c", "echo x > /tmp/written-by-e2e");
    assertThat(tmp.exitCode()).as("writing to /tmp (an emptyDir) in %s", container).isZero();
  }

  static String seconds(Duration d) {
    return String.format("%.1f s", d.toMillis() / 1000.0);
  }
}
