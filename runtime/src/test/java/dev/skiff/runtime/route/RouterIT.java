package dev.skiff.runtime.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.runtime.serve.ModelServer;
import dev.skiff.runtime.serve.ServeOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A real router on a real port in front of real runtime servers that serve two distinguishable
 * versions of the iris model ({@code v1} and {@code v2}: each server's metadata lists only its own
 * version, and inference answers name it), called concurrently by a real HTTP client.
 */
class RouterIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Path IRIS = Path.of("../examples/models/iris");
  static final String INFER =
      "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],"
          + "\"data\":[5.1,3.5,1.4,0.2]}]}";
  static final int CLIENTS = 16;

  @TempDir static Path repos;
  static ModelServer v1;
  static ModelServer v2;
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @TempDir Path configDir;

  @BeforeAll
  static void startBackends() throws Exception {
    v1 = startBackend("v1");
    v2 = startBackend("v2");
  }

  @AfterAll
  static void stopBackends() {
    v1.close();
    v2.close();
  }

  /** A runtime serving a copy of the iris model whose only version folder is {@code version}. */
  static ModelServer startBackend(String version) throws IOException, InterruptedException {
    return startBackend(repos, version, UnaryOperator.identity());
  }

  /** The same in {@code repos}, with the server's options adjusted by {@code options}. */
  static ModelServer startBackend(
      Path repos, String version, UnaryOperator<ServeOptions.Builder> options)
      throws IOException, InterruptedException {
    Path model = repos.resolve(version + "-" + System.nanoTime()).resolve("iris");
    Files.createDirectories(model.resolve(version));
    Files.copy(IRIS.resolve("v1/model.onnx"), model.resolve(version).resolve("model.onnx"));
    Files.writeString(
        model.resolve("model.yaml"),
        Files.readString(IRIS.resolve("model.yaml"))
            .replace("defaultVersion: v1", "defaultVersion: " + version));
    ModelServer server =
        ModelServer.start(
            options
                .apply(
                    ServeOptions.builder(model.getParent())
                        .port(0)
                        .inferenceThreads(1)
                        .queueSize(256)
                        .maxPayloadBytes(1 << 20))
                .build());
    server.awaitModelsLoaded(Duration.ofSeconds(60));
    return server;
  }

  // ---------------------------------------------------------------- split

  @ParameterizedTest(name = "{0}/{1}")
  @CsvSource({"90,10", "50,50", "99,1"})
  void splitsByWeightWithinOnePercentagePoint(int w1, int w2) throws Exception {
    try (RouterServer router = startRouter(config(w1, w2, ""))) {
      Counts counts = load(router, 10_000, this::metadata);
      assertThat(counts.failures()).isEmpty();
      assertThat(counts.share("v1")).isCloseTo(w1, offset(1.0));
      assertThat(counts.share("v2")).isCloseTo(w2, offset(1.0));
      String metrics = get(router, "/metrics").body();
      assertThat(metrics)
          .contains("skiff_router_declared_weight{model=\"iris\",version=\"v1\"} " + (double) w1)
          .contains("skiff_router_effective_weight{model=\"iris\",version=\"v2\"} " + (double) w2)
          .contains("skiff_router_backend_ready{model=\"iris\",version=\"v1\"} 1.0")
          .contains("skiff_router_requests_total{code=\"200\",model=\"iris\",version=\"v1\"}")
          .contains("skiff_router_request_duration_seconds_bucket{model=\"iris\",version=\"v2\"");
    }
  }

  // ---------------------------------------------------------------- pinning and headers

  @Test
  void headerPinsAVersionAndUnknownVersionsAre400() throws Exception {
    try (RouterServer router = startRouter(config(100, 0, ""))) {
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> pinned = get(router, "/v2/models/iris", "X-Model-Version", "v2");
        assertThat(pinned.statusCode()).isEqualTo(200);
        assertThat(pinned.headers().firstValue("X-Model-Version")).contains("v2");
        assertThat(JSON.readTree(pinned.body()).get("versions").toString()).isEqualTo("[\"v2\"]");
      }
      HttpResponse<String> unpinned = get(router, "/v2/models/iris");
      assertThat(unpinned.headers().firstValue("X-Model-Version")).contains("v1");

      HttpResponse<String> unknown = get(router, "/v2/models/iris", "X-Model-Version", "v9");
      assertThat(unknown.statusCode()).isEqualTo(400);
      assertThat(JSON.readTree(unknown.body()).get("error").asText())
          .isEqualTo("unknown model version 'v9' in X-Model-Version; known versions: [v1, v2]");
    }
  }

  @Test
  void bodiesStatusesAndRequestIdsPassThrough() throws Exception {
    try (RouterServer router = startRouter(config(0, 100, ""))) {
      HttpResponse<String> inferred =
          send(
              HttpRequest.newBuilder(uri(router, "/v2/models/iris/infer?x=1"))
                  .header("X-Request-Id", "trace-42")
                  .POST(HttpRequest.BodyPublishers.ofString(INFER))
                  .build());
      assertThat(inferred.statusCode()).as(inferred.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(inferred.body());
      assertThat(body.get("model_version").asText()).isEqualTo("v2");
      assertThat(body.get("id").asText()).as("the backend saw the id").isEqualTo("trace-42");
      assertThat(inferred.headers().allValues("X-Request-Id")).containsExactly("trace-42");

      HttpResponse<String> bad =
          send(
              HttpRequest.newBuilder(uri(router, "/v2/models/iris/infer"))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\": ["))
                  .build());
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.headers().firstValue("X-Model-Version")).contains("v2");
      assertThat(bad.headers().firstValue("X-Request-Id")).isPresent();

      HttpResponse<String> v1Api =
          send(
              HttpRequest.newBuilder(uri(router, "/v1/models/iris:predict"))
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"instances\": [[5.1, 3.5, 1.4, 0.2]]}"))
                  .build());
      assertThat(v1Api.statusCode()).as(v1Api.body()).isEqualTo(200);
      assertThat(v1Api.body()).contains("predictions");
    }
  }

  @Test
  void noReadyVersionIs503WithRetryAfter() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String yaml =
        "model: iris\nversions:\n  - {name: v1, url: \"http://127.0.0.1:"
            + closedPort
            + "\", weight: 100}\n";
    try (RouterServer router = startRouter(yaml)) {
      HttpResponse<String> response = get(router, "/v2/models/iris");
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).contains("1");
      assertThat(JSON.readTree(response.body()).get("error").asText())
          .isEqualTo("no model version is ready");
      HttpResponse<String> ready = get(router, "/health/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      JsonNode v1State = JSON.readTree(ready.body()).get("versions").get("v1");
      assertThat(v1State.get("state").asText()).isEqualTo("NOT_READY");
      assertThat(v1State.get("reason").asText()).startsWith("cannot connect");
    }
  }

  // ---------------------------------------------------------------- changes under load

  @Test
  void weightChangeUnderLoadFailsNoRequest() throws Exception {
    try (RouterServer router = startRouter(config(90, 10, ""))) {
      try (Background load = new Background(router, this::metadata)) {
        await().until(() -> load.total() > 2_000);
        writeConfig(config(10, 90, ""));
        await().atMost(Duration.ofSeconds(20)).until(() -> declaredWeight(router, "v1") == 10);
        int seen = load.total();
        await().until(() -> load.total() > seen + 2_000);
        assertThat(load.counts().failures()).isEmpty();
      }
      Counts after = load(router, 2_000, this::metadata);
      assertThat(after.failures()).isEmpty();
      assertThat(after.share("v1")).isCloseTo(10, offset(1.0));
      assertThat(after.share("v2")).isCloseTo(90, offset(1.0));
    }
  }

  @Test
  void stoppedBackendUnderLoadFailsNoRequest() throws Exception {
    ModelServer doomed = startBackend("v2");
    boolean closed = false;
    try (RouterServer router = startRouter(config(50, 50, "", v1.port(), doomed.port()))) {
      try (Background load = new Background(router, this::metadata)) {
        await().until(() -> load.total() > 2_000);
        doomed.close();
        closed = true;
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> get(router, "/health/ready").body().contains("NOT_READY"));
        int seen = load.total();
        await().until(() -> load.total() > seen + 2_000);
        assertThat(load.counts().failures()).isEmpty();
      }
      JsonNode health = JSON.readTree(get(router, "/health/ready").body());
      assertThat(health.get("status").asText()).isEqualTo("UP");
      assertThat(health.at("/versions/v2/state").asText()).isEqualTo("NOT_READY");
      assertThat(health.at("/versions/v2/effectiveWeight").asDouble()).isZero();
      assertThat(health.at("/versions/v1/effectiveWeight").asDouble()).isEqualTo(100.0);
      Counts after = load(router, 500, this::metadata);
      assertThat(after.failures()).isEmpty();
      assertThat(after.share("v1")).isEqualTo(100.0);
    } finally {
      if (!closed) {
        doomed.close();
      }
    }
  }

  // ---------------------------------------------------------------- mirror

  @Test
  void mirrorCopiesTheDeclaredPercentage() throws Exception {
    double before = inferenceCount(v2);
    try (RouterServer router =
        startRouter(config(100, 0, "mirror: {version: v2, percent: 10}\n"))) {
      int requests = 2_000;
      Counts counts = load(router, requests, this::inference);
      assertThat(counts.failures()).isEmpty();
      assertThat(counts.share("v1")).isEqualTo(100.0);
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(100.0 * (inferenceCount(v2) - before) / requests)
                      .isCloseTo(10.0, offset(2.0)));
      assertThat(get(router, "/metrics").body())
          .contains(
              "skiff_router_mirrored_requests_total{model=\"iris\",result=\"sent\",version=\"v2\"}");
    }
  }

  @Test
  void callerIsUnaffectedWhenTheMirrorIsDown() throws Exception {
    ModelServer mirror = startBackend("v2");
    boolean closed = false;
    try (RouterServer router =
        startRouter(
            config(100, 0, "mirror: {version: v2, percent: 50}\n", v1.port(), mirror.port()))) {
      assertThat(get(router, "/health/ready").body()).doesNotContain("NOT_READY");
      mirror.close();
      closed = true;
      Counts counts = load(router, 1_000, this::inference);
      assertThat(counts.failures()).isEmpty();
      assertThat(counts.share("v1")).isEqualTo(100.0);
      assertThat(get(router, "/metrics").body())
          .containsPattern(
              "skiff_router_mirrored_requests_total\\{model=\"iris\",result=\"(failed|not_ready)\"");
    } finally {
      if (!closed) {
        mirror.close();
      }
    }
  }

  @Test
  void feedbackIsNotMirroredAndTheCopyRemembersItsPredictionUnderItsOwnId() throws Exception {
    try (RouterServer router =
        startRouter(config(100, 0, "mirror: {version: v2, percent: 100}\n"))) {
      String id = "mirrored-" + System.nanoTime();
      HttpResponse<String> predicted =
          send(
              HttpRequest.newBuilder(uri(router, "/v2/models/iris/infer"))
                  .header("X-Request-Id", id)
                  .POST(HttpRequest.BodyPublishers.ofString(INFER))
                  .build());
      assertThat(answeredBy(predicted)).isEqualTo("v1");
      String feedback = "{\"id\":\"" + id + "\",\"correct\":true}";
      // the copy reaches v2 in the background, under the request's id with .mirror appended
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(
                          post(
                                  v2.port(),
                                  "/v1/models/iris/feedback",
                                  "{\"id\":\"" + id + ".mirror\",\"correct\":true}")
                              .statusCode())
                      .isEqualTo(200));
      String mirroredBefore = mirroredSent(router);
      HttpResponse<String> answered =
          send(
              HttpRequest.newBuilder(uri(router, "/v1/models/iris/feedback"))
                  .POST(HttpRequest.BodyPublishers.ofString(feedback))
                  .build());
      assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
      assertThat(JSON.readTree(answered.body()).get("version").asText()).isEqualTo("v1");
      assertThat(mirroredSent(router)).as("the feedback was not copied").isEqualTo(mirroredBefore);
    }
  }

  private static String mirroredSent(RouterServer router) {
    return get(router, "/metrics")
        .body()
        .lines()
        .filter(l -> l.startsWith("skiff_router_mirrored_requests_total{") && l.contains("sent"))
        .findFirst()
        .orElse("");
  }

  // ---------------------------------------------------------------- bad config

  @Test
  void badConfigKeepsTheLastGoodOne() throws Exception {
    try (RouterServer router = startRouter(config(90, 10, ""))) {
      writeConfig(config(90, 20, ""));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> get(router, "/health/ready").body().contains("configError"));
      JsonNode health = JSON.readTree(get(router, "/health/ready").body());
      assertThat(health.get("configError").asText())
          .isEqualTo("version weights must add up to 100 (or all be 0), but they add up to 110");
      assertThat(health.at("/versions/v2/declaredWeight").asInt()).isEqualTo(10);
      Counts counts = load(router, 1_000, this::metadata);
      assertThat(counts.failures()).isEmpty();
      assertThat(counts.share("v1")).isCloseTo(90, offset(1.0));
      assertThat(get(router, "/metrics").body())
          .contains("skiff_router_config_reloads_total{result=\"failure\"} 1.0");

      writeConfig(config(50, 50, ""));
      await().atMost(Duration.ofSeconds(20)).until(() -> declaredWeight(router, "v2") == 50);
      assertThat(get(router, "/health/ready").body()).doesNotContain("configError");
    }
  }

  // ---------------------------------------------------------------- helpers

  String config(int w1, int w2, String extra) {
    return config(w1, w2, extra, v1.port(), v2.port());
  }

  static String config(int w1, int w2, String extra, int port1, int port2) {
    return "model: iris\nversions:\n"
        + "  - {name: v1, url: \"http://127.0.0.1:"
        + port1
        + "\", weight: "
        + w1
        + "}\n"
        + "  - {name: v2, url: \"http://127.0.0.1:"
        + port2
        + "\", weight: "
        + w2
        + "}\n"
        + extra;
  }

  /**
   * Writes the config the way a ConfigMap volume does: the file is a symlink through {@code ..data}
   * to a timestamped folder, and an update swaps {@code ..data} atomically.
   */
  void writeConfig(String yaml) throws IOException {
    Path folder = configDir.resolve("..v" + System.nanoTime());
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("router.yaml"), yaml);
    Path data = configDir.resolve("..data");
    Path next = configDir.resolve("..data_tmp");
    Files.deleteIfExists(next);
    Files.createSymbolicLink(next, folder.getFileName());
    Files.move(next, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Path link = configDir.resolve("router.yaml");
    if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
      Files.createSymbolicLink(link, Path.of("..data/router.yaml"));
    }
  }

  /** A router whose versions were each checked once before it returned. */
  RouterServer startRouter(String yaml) throws IOException {
    writeConfig(yaml);
    RouterServer router =
        RouterServer.start(
            RouterOptions.builder(configDir.resolve("router.yaml"))
                .port(0)
                .configPollInterval(Duration.ofMillis(100))
                .healthInterval(Duration.ofMillis(200))
                .mirrorMaxInFlight(1_000)
                .mirrorMaxBodyBytes(1 << 20)
                .build());
    return router;
  }

  static int declaredWeight(RouterServer router, String version) throws IOException {
    return JSON.readTree(get(router, "/health/ready").body())
        .at("/versions/" + version + "/declaredWeight")
        .asInt();
  }

  /** Inference requests a backend has answered, from its own metrics. */
  static double inferenceCount(ModelServer backend) {
    String metrics = get(backend.port(), "/metrics").body();
    Matcher m =
        Pattern.compile("skiff_requests_total\\{code=\"200\",model=\"iris\",version=\"v2\"} (\\S+)")
            .matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /** One metadata call; returns the version that answered, checked against the body. */
  String metadata(RouterServer router) throws IOException {
    HttpResponse<String> response = get(router, "/v2/models/iris");
    String version = answeredBy(response);
    if (!JSON.readTree(response.body()).get("versions").get(0).asText().equals(version)) {
      throw new AssertionError("body and header disagree: " + response.body());
    }
    return version;
  }

  /** One inference call; returns the version that answered, checked against the body. */
  String inference(RouterServer router) throws IOException {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(uri(router, "/v2/models/iris/infer"))
                .POST(HttpRequest.BodyPublishers.ofString(INFER))
                .build());
    String version = answeredBy(response);
    if (!JSON.readTree(response.body()).get("model_version").asText().equals(version)) {
      throw new AssertionError("body and header disagree: " + response.body());
    }
    return version;
  }

  static String answeredBy(HttpResponse<String> response) {
    if (response.statusCode() != 200) {
      throw new AssertionError(response.statusCode() + " " + response.body());
    }
    return response.headers().firstValue("X-Model-Version").orElseThrow();
  }

  interface Call {
    String call(RouterServer router) throws Exception;
  }

  /** What answered a batch of calls: count per version, and every failure. */
  record Counts(Map<String, Integer> byVersion, List<String> failures) {
    double share(String version) {
      int total = byVersion.values().stream().mapToInt(Integer::intValue).sum();
      return 100.0 * byVersion.getOrDefault(version, 0) / total;
    }
  }

  /** {@code n} calls from {@value #CLIENTS} concurrent clients. */
  static Counts load(RouterServer router, int n, Call call) throws InterruptedException {
    Map<String, Integer> counts = new ConcurrentHashMap<>();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger remaining = new AtomicInteger(n);
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < CLIENTS; c++) {
        clients.execute(
            () -> {
              while (remaining.getAndDecrement() > 0) {
                try {
                  counts.merge(call.call(router), 1, Integer::sum);
                } catch (Exception | AssertionError e) {
                  failures.add(e.toString());
                }
              }
            });
      }
    }
    return new Counts(counts, failures);
  }

  /** Calls running until closed, recording every answer and failure. */
  static final class Background implements AutoCloseable {
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final LongAdder total = new LongAdder();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();

    Background(RouterServer router, Call call) {
      for (int c = 0; c < CLIENTS; c++) {
        clients.execute(
            () -> {
              while (running.get()) {
                try {
                  counts.merge(call.call(router), 1, Integer::sum);
                } catch (Exception | AssertionError e) {
                  failures.add(e.toString());
                }
                total.increment();
              }
            });
      }
    }

    int total() {
      return total.intValue();
    }

    Counts counts() {
      return new Counts(Map.copyOf(counts), List.copyOf(failures));
    }

    @Override
    public void close() {
      running.set(false);
      clients.close();
    }
  }

  static URI uri(RouterServer router, String path) {
    return URI.create("http://127.0.0.1:" + router.port() + path);
  }

  static HttpResponse<String> get(RouterServer router, String path, String... headers) {
    return get(router.port(), path, headers);
  }

  static HttpResponse<String> get(int port, String path, String... headers) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return send(builder.build());
  }

  static HttpResponse<String> post(int port, String path, String body) {
    return send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  static HttpResponse<String> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
