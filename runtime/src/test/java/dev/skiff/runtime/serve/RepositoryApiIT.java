package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.runtime.model.ModelControlMode;
import dev.skiff.runtime.model.ServingVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model repository API on real servers over a temporary copy of the example models: Triton's
 * own Python client ({@code tritonclient.http}) in explicit and poll mode (pytest,
 * src/test/python/test_repository_*.py), and the bad requests and auth checked here over HTTP.
 */
class RepositoryApiIT {
  private static final Path EXAMPLES = Path.of("../examples/models");

  @TempDir Path repo;

  private void exampleRepository() throws IOException {
    copyTree(EXAMPLES.resolve("iris"), repo.resolve("iris"));
    copyTree(EXAMPLES.resolve("digits"), repo.resolve("digits"));
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }

  private ServeOptions.Builder options(ModelControlMode mode, List<String> startup) {
    return ServeOptions.builder(repo)
        .host("127.0.0.1")
        .port(0)
        .modelControl(new ModelControlOptions(mode, startup, Duration.ofSeconds(1), 0));
  }

  /** The same calls over V2 gRPC (Triton's repository RPCs), by tritonclient.grpc. */
  @Test
  void tritonGrpcClientIndexesLoadsAndUnloadsInExplicitMode() throws Exception {
    PytestRun.python(); // skips visibly without the clients' virtualenv
    exampleRepository();
    try (ModelServer server =
        ModelServer.start(
            options(ModelControlMode.EXPLICIT, List.of("iris")).grpcPort(0).build())) {
      String output =
          PytestRun.runAgainst(server, Duration.ofMinutes(5), Map.of(), "test_repository_grpc.py");
      assertThat(output).contains("3 passed");
    }
  }

  @Test
  void tritonClientIndexesLoadsAndUnloadsInExplicitMode() throws Exception {
    PytestRun.python(); // skips visibly without the clients' virtualenv
    exampleRepository();
    try (ModelServer server =
        ModelServer.start(options(ModelControlMode.EXPLICIT, List.of("iris")).build())) {
      String output =
          PytestRun.runAgainst(
              server,
              Duration.ofMinutes(5),
              Map.of("SKIFF_REPO", repo.toString()),
              "test_repository_explicit.py");
      assertThat(output).contains("6 passed");
      assertThat(new TestHttp(server.port()).get("/metrics").body())
          .contains(
              "skiff_model_repository_operations_total{operation=\"load\",outcome=\"succeeded\"}")
          .contains(
              "skiff_model_repository_operations_total{operation=\"load\",outcome=\"failed\"}");
    }
  }

  @Test
  void tritonClientSeesThePollerFollowTheFolder() throws Exception {
    PytestRun.python();
    copyTree(EXAMPLES.resolve("iris"), repo.resolve("iris"));
    try (ModelServer server =
        ModelServer.start(options(ModelControlMode.POLL, List.of()).build())) {
      String output =
          PytestRun.runAgainst(
              server,
              Duration.ofMinutes(5),
              Map.of("SKIFF_REPO", repo.toString()),
              "test_repository_poll.py");
      assertThat(output).contains("1 passed");
    }
  }

  @Test
  void badRequestsAreRefusedNamingTheProblem() throws Exception {
    copyTree(EXAMPLES.resolve("iris"), repo.resolve("iris"));
    try (ModelServer server =
        ModelServer.start(options(ModelControlMode.EXPLICIT, List.of()).build())) {
      server.awaitModelsLoaded(Duration.ofSeconds(60));
      TestHttp http = new TestHttp(server.port());

      assertError(http.post("/v2/repository/index", "{\"ready\":"), 400, "not valid JSON");
      assertError(http.post("/v2/repository/index", "[1]"), 400, "must be a JSON object");
      assertError(
          http.post("/v2/repository/index", "{\"ready\":\"yes\"}"), 400, "'ready' must be true");
      assertError(
          http.post("/v2/repository/index", "{\"readyy\":true}"), 400, "unknown field 'readyy'");
      assertError(http.post("/v2/repository/models/nope/load", ""), 404, "model 'nope' not found");
      assertError(
          http.post("/v2/repository/models/nope/unload", "{}"), 404, "model 'nope' not found");
      assertError(
          http.post("/v2/repository/models/iris/load", "{\"parameters\":{\"config\":\"{}\"}}"),
          400,
          "load parameters [config] are not supported");
      assertError(
          http.post(
              "/v2/repository/models/iris/unload", "{\"parameters\":{\"unload_dependents\":1}}"),
          400,
          "'unload_dependents' must be true or false");
      assertError(http.get("/v2/repository/index"), 405, "POST");

      assertThat(
              TestHttp.json(http.get("/openapi"))
                  .get("paths")
                  .has("/v2/repository/models/{model}/load"))
          .as("explicit mode documents load and unload")
          .isTrue();
      HttpResponse<String> index = http.post("/v2/repository/index", "");
      assertThat(index.statusCode()).isEqualTo(200);
      assertThat(TestHttp.json(index).toString())
          .isEqualTo(
              "[{\"name\":\"iris\",\"version\":\"v1\",\"state\":\"READY\",\"reason\":\"\"}]");
      assertThat(TestHttp.json(http.get("/v2")).get("extensions").toString())
          .isEqualTo("[\"model_repository\",\"binary_tensor_data\",\"classification\"]");
    }
  }

  @Test
  void noneModeAnswersTheIndexButRefusesLoadNamingTheMode() throws Exception {
    copyTree(EXAMPLES.resolve("iris"), repo.resolve("iris"));
    try (ModelServer server =
        ModelServer.start(options(ModelControlMode.NONE, List.of()).build())) {
      server.awaitModelsLoaded(Duration.ofSeconds(60));
      TestHttp http = new TestHttp(server.port());
      assertThat(http.post("/v2/repository/index", "{\"ready\":true}").statusCode()).isEqualTo(200);
      assertError(http.post("/v2/repository/models/iris/load", ""), 400, "--model-control=none");
      assertError(
          http.post("/v2/repository/models/iris/unload", ""), 400, "--model-control=explicit");
      assertThat(http.get("/v2/models/iris/ready").statusCode()).isEqualTo(200);
      assertThat(
              TestHttp.json(http.get("/openapi"))
                  .get("paths")
                  .has("/v2/repository/models/{model}/load"))
          .as("none mode documents only the index")
          .isFalse();
    }
  }

  @Test
  void theRepositoryApiNeedsATokenLikeEveryV2Endpoint() throws Exception {
    copyTree(EXAMPLES.resolve("iris"), repo.resolve("iris"));
    try (ModelServer server =
        ModelServer.start(
            options(ModelControlMode.EXPLICIT, List.of()).authTokens(List.of("s3cret")).build())) {
      server.awaitModelsLoaded(Duration.ofSeconds(60));
      TestHttp http = new TestHttp(server.port());
      assertThat(http.post("/v2/repository/index", "").statusCode()).isEqualTo(401);
      assertThat(http.post("/v2/repository/models/iris/unload", "").statusCode()).isEqualTo(401);
      assertThat(http.get("/v2/models/iris/ready", "Authorization", "Bearer s3cret").statusCode())
          .as("the unauthorised unload did nothing")
          .isEqualTo(200);
      assertThat(
              http.post("/v2/repository/index", "", "Authorization", "Bearer s3cret").statusCode())
          .isEqualTo(200);
    }
  }

  /**
   * A request whose body is still arriving when its model is unloaded: it was accepted on the
   * version it looked up, so it is answered by that version, which closes only afterwards.
   */
  @Test
  void aRequestInFlightFinishesOnTheVersionUnloadedMeanwhile() throws Exception {
    copyTree(EXAMPLES.resolve("iris"), repo.resolve("iris"));
    try (ModelServer server =
        ModelServer.start(options(ModelControlMode.EXPLICIT, List.of()).build())) {
      server.awaitModelsLoaded(Duration.ofSeconds(60));
      TestHttp http = new TestHttp(server.port());
      ServingVersion serving =
          server.repository().model("iris").orElseThrow().defaultVersion().serving().orElseThrow();
      byte[] body =
          ("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
                  + "\"data\":[6.3,3.3,6.0,2.5]}]}")
              .getBytes(StandardCharsets.US_ASCII);
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
        OutputStream out = socket.getOutputStream();
        out.write(
            ("POST /v2/models/iris/infer HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nConnection: close\r\n"
                    + "Content-Length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body, 0, 10);
        out.flush();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (serving.running() == 0 && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertThat(serving.running()).as("the request holds the version").isEqualTo(1);

        assertThat(http.post("/v2/repository/models/iris/unload", "").statusCode()).isEqualTo(200);
        assertThat(http.get("/v2/models/iris/ready").statusCode()).isEqualTo(404);
        assertThat(serving.enter()).as("no new request enters the unloaded version").isFalse();

        out.write(body, 10, body.length - 10);
        out.flush();
        String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(answer).startsWith("HTTP/1.1 200").contains("\"name\":\"label\"");
        assertThat(answer.substring(answer.indexOf("\r\n\r\n")))
            .contains("\"data\":[2]"); // virginica, from the version that was unloaded
      }
      assertThat(serving.running()).isZero();
    }
  }

  private static void assertError(HttpResponse<String> response, int status, String message) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(TestHttp.json(response).path("error").asText()).contains(message);
  }
}
