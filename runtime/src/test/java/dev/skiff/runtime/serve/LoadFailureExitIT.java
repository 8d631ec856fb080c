package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.runtime.RuntimeProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --exit-on-load-failure --termination-log <file>}, as the operator runs it: a model
 * that does not load ends the process with exit 1 and one {@code ModelLoadFailed: ...} line in the
 * file, which Kubernetes shows as the container's termination message. Without the flag (a laptop)
 * the other models keep serving.
 */
class LoadFailureExitIT {
  private static final Path IRIS = Path.of("../examples/models/iris").toAbsolutePath();
  private static final Path MISMATCH =
      Path.of("src/test/resources/models/mismatch").toAbsolutePath();

  @TempDir Path repository;
  @TempDir Path logs;

  private record Exit(int code, String terminationMessage, String log, double seconds) {}

  private Exit serveUntilItExits() throws Exception {
    Path terminationLog = logs.resolve("termination-log");
    long start = System.nanoTime();
    try (RuntimeProcess serve =
        RuntimeProcess.start(
            logs.resolve("serve.log"),
            "serve",
            repository.toString(),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--shutdown-delay-s",
            "2",
            "--exit-on-load-failure",
            "--termination-log",
            terminationLog.toString())) {
      int code = serve.awaitExit(Duration.ofSeconds(60));
      return new Exit(
          code,
          Files.readString(terminationLog, StandardCharsets.UTF_8),
          serve.log(),
          (System.nanoTime() - start) / 1e9);
    }
  }

  @Test
  void aSchemaMismatchEndsTheProcessNamingModelVersionAndBothShapes() throws Exception {
    Files.createSymbolicLink(repository.resolve("mismatch"), MISMATCH);
    Exit exit = serveUntilItExits();
    assertThat(exit.code()).isEqualTo(1);
    assertThat(exit.terminationMessage())
        .isEqualTo(
            "ModelLoadFailed: model 'mismatch' version 'v1': input 'input' is declared FP32"
                + " [-1, 5] but the model file has FP32 [-1, 4]\n");
    assertThat(exit.log()).contains("ModelLoadFailed: model 'mismatch' version 'v1'");
    // no drain: the server was never ready, and no shutdown signal came
    assertThat(exit.log()).doesNotContain("shutdown signal received");
    assertThat(exit.seconds()).isLessThan(30);
  }

  @Test
  void aCorruptModelFileEndsTheProcessWithTheBackendsReason() throws Exception {
    Path iris = Files.createDirectories(repository.resolve("iris/v1"));
    Files.copy(IRIS.resolve("model.yaml"), repository.resolve("iris/model.yaml"));
    Files.write(iris.resolve("model.onnx"), "not an onnx file".getBytes(StandardCharsets.UTF_8));
    Exit exit = serveUntilItExits();
    assertThat(exit.code()).isEqualTo(1);
    assertThat(exit.terminationMessage())
        .startsWith("ModelLoadFailed: model 'iris' version 'v1': ")
        .endsWith("\n")
        .hasLineCount(1);
  }

  @Test
  void withSeveralModelsTheFirstFailureIsNamedAndTheOthersCounted() throws Exception {
    Files.createSymbolicLink(repository.resolve("iris"), IRIS);
    Files.createSymbolicLink(repository.resolve("mismatch"), MISMATCH);
    Files.createDirectories(repository.resolve("typo/v1"));
    Files.writeString(repository.resolve("typo/model.yaml"), "imputs: []\n");
    Exit exit = serveUntilItExits();
    assertThat(exit.code()).isEqualTo(1);
    assertThat(exit.terminationMessage())
        .startsWith("ModelLoadFailed: model folder 'typo': ")
        .contains("unknown key 'imputs'")
        .endsWith(" (and 1 more, see the log)\n");
  }

  /** The README's laptop promise: without the flag a broken model does not stop the others. */
  @Test
  void withoutTheFlagTheModelsThatLoadedKeepServing() throws Exception {
    Files.createSymbolicLink(repository.resolve("iris"), IRIS);
    Files.createSymbolicLink(repository.resolve("mismatch"), MISMATCH);
    try (RuntimeProcess serve =
        RuntimeProcess.start(
            logs.resolve("serve.log"),
            "serve",
            repository.toString(),
            "--host",
            "127.0.0.1",
            "--port",
            "0")) {
      int port = serve.awaitPort(Duration.ofSeconds(60));
      HttpClient http = HttpClient.newHttpClient();
      int irisReady = 0;
      for (int i = 0; i < 300 && irisReady != 200; i++) {
        irisReady = status(http, port, "/v2/models/iris/ready");
        Thread.sleep(100);
      }
      assertThat(irisReady).isEqualTo(200);
      assertThat(status(http, port, "/v2/models/mismatch/ready")).isEqualTo(400);
      assertThat(status(http, port, "/health/ready")).isEqualTo(503);
      assertThat(serve.isAlive()).isTrue();
    }
  }

  private static int status(HttpClient http, int port, String path)
      throws IOException, InterruptedException {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
