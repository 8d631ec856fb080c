package dev.skiff.runtime.serve;

import static dev.skiff.runtime.serve.TestHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compressed request bodies ({@code Content-Encoding}) on a real server: gzip and deflate inflate,
 * the payload limit counts inflated bytes, anything else is a 415; every refusal has a request id.
 */
class RequestCompressionIT {
  private static final int LIMIT = 64 * 1024;
  private static ModelServer server;
  private static TestHttp http;
  private static byte[] iris;

  @BeforeAll
  static void start() throws Exception {
    Path repository = Files.createTempDirectory("compression-models");
    Path models = Path.of("../examples/models/iris");
    try (var files = Files.walk(models)) {
      for (Path file : files.toList()) {
        Path target = repository.resolve("iris").resolve(models.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
    server =
        ModelServer.start(ServeOptions.builder(repository).port(0).maxPayloadBytes(LIMIT).build());
    server.awaitModelsLoaded(Duration.ofSeconds(60));
    http = new TestHttp(server.port());
    iris = Files.readAllBytes(Path.of("../examples/requests/iris.json"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static byte[] compress(String encoding, byte[] body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream zip =
        "gzip".equals(encoding) ? new GZIPOutputStream(out) : new DeflaterOutputStream(out)) {
      zip.write(body);
    }
    return out.toByteArray();
  }

  private static HttpResponse<String> post(byte[] body, String encoding) {
    return http.send(
        http.builder("/v2/models/iris/infer", "Content-Encoding", encoding, "X-Request-Id", "zip-1")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "deflate"})
  void compressedBodiesGiveTheSameAnswerAsPlainOnes(String encoding) throws IOException {
    HttpResponse<String> response = post(compress(encoding, iris), encoding);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json(response).at("/outputs/0/data").toString()).isEqualTo("[0,2]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "deflate"})
  void aCompressionBombIsTooLargeOnceInflated(String encoding) throws IOException {
    byte[] padded = new byte[16 * LIMIT];
    Arrays.fill(padded, (byte) ' ');
    System.arraycopy(iris, 0, padded, 0, iris.length);
    byte[] bomb = compress(encoding, padded);
    assertThat(bomb.length).isLessThan(LIMIT / 10);
    HttpResponse<String> response = post(bomb, encoding);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
    assertThat(json(response).get("error").asText()).contains("inflates", "--max-payload-bytes");
    assertThat(response.headers().firstValue("X-Request-Id")).hasValue("zip-1");
  }

  @Test
  void aCorruptStreamIsABadRequestThatSaysSo() {
    HttpResponse<String> response =
        post("not gzip at all".getBytes(StandardCharsets.UTF_8), "gzip");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(json(response).get("error").asText()).contains("not valid gzip");
    assertThat(response.headers().firstValue("X-Request-Id")).hasValue("zip-1");
  }

  @Test
  void anotherEncodingIsUnsupportedAndTheAnswerNamesWhatIs() {
    HttpResponse<String> response = post(iris, "br");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(415);
    assertThat(json(response).get("error").asText()).contains("'br'", "gzip or deflate");
    assertThat(response.headers().firstValue("X-Request-Id")).hasValue("zip-1");
  }

  @Test
  void errorsAnsweredBeforeRoutingCarryARequestId() {
    HttpResponse<String> response =
        http.send(
            http.builder("/v2/models/iris/infer")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[LIMIT + 1]))
                .build());
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
  }
}
