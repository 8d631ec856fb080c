package dev.skiff.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * V2 gRPC calls made by an unmodified third-party client: {@code tritonclient.grpc} in the
 * virtualenv hack/python-clients.sh made ({@code -Dskiff.python}, which hack/e2e/run.sh passes),
 * running src/test/python/grpc_split.py, which infers iris {@code calls} times and counts the
 * versions that answered.
 */
final class GrpcCalls {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCRIPT = Path.of("src/test/python/grpc_split.py");

  private GrpcCalls() {}

  /** What the client saw: calls per answering version, failed calls, and the wall time. */
  record Result(Map<String, Integer> versions, int failed, List<String> errors, double seconds) {
    int answered() {
      return versions.values().stream().mapToInt(Integer::intValue).sum();
    }

    double percent(String version) {
      return 100.0 * versions.getOrDefault(version, 0) / Math.max(1, answered() + failed);
    }
  }

  /**
   * Makes {@code calls} calls to {@code address} ({@code host:port}) with the bearer token, pinned
   * to {@code pinned} when it is not null.
   */
  static Result infer(String address, int calls, String token, String pinned) throws Exception {
    String python = System.getProperty("skiff.python", "");
    assertThat(python)
        .as("-Dskiff.python: the virtualenv of hack/python-clients.sh (hack/e2e/run.sh sets it)")
        .isNotBlank();
    List<String> command =
        new ArrayList<>(
            List.of(python, SCRIPT.toString(), address, Integer.toString(calls), token));
    if (pinned != null) {
      command.add(pinned);
    }
    Path out = Files.createTempFile("grpc-calls", ".json");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    boolean finished = process.waitFor(Duration.ofMinutes(4).toMillis(), TimeUnit.MILLISECONDS);
    if (!finished) {
      process.destroyForcibly();
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    Files.delete(out);
    assertThat(finished).as("grpc_split.py finished within 4 minutes").isTrue();
    assertThat(process.exitValue()).as("grpc_split.py: %s", text).isZero();
    JsonNode json = JSON.readTree(text);
    Map<String, Integer> versions = new LinkedHashMap<>();
    json.get("versions").properties().forEach(e -> versions.put(e.getKey(), e.getValue().asInt()));
    List<String> errors = new ArrayList<>();
    json.get("errors").forEach(e -> errors.add(e.asText()));
    return new Result(versions, json.get("failed").asInt(), errors, json.get("seconds").asDouble());
  }
}
