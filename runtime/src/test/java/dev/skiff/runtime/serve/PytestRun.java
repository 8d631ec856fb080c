package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Starts the runtime on the example models and runs pytest files (src/test/python) against it, with
 * the virtualenv hack/python-clients.sh made (-Dskiff.python). Where that property is empty,
 * because the Python index was unreachable, the calling test is skipped, saying so.
 */
final class PytestRun {
  private PytestRun() {}

  /** The virtualenv's python, or the test is skipped visibly. */
  static String python() {
    return TestVirtualenv.python("skiff.python", "hack/python-clients.txt").toString();
  }

  /**
   * Runs the files with pytest against a fresh runtime, prints pytest's output and returns it after
   * checking pytest exited 0 within the timeout.
   */
  static String run(Duration timeout, Map<String, String> env, String... files) throws Exception {
    return run(timeout, UnaryOperator.identity(), env, files);
  }

  /**
   * Like {@link #run(Duration, Map, String...)} with the server's options adjusted by {@code
   * options}; a server with gRPC gives pytest its {@code SKIFF_GRPC} (host:port).
   */
  static String run(
      Duration timeout,
      UnaryOperator<ServeOptions.Builder> options,
      Map<String, String> env,
      String... files)
      throws Exception {
    python(); // skips before a server starts when there is no virtualenv
    try (ModelServer server =
        ModelServer.start(
            options.apply(ServeOptions.builder(Path.of("../examples/models")).port(0)).build())) {
      return runAgainst(server, timeout, env, files);
    }
  }

  /** Like {@link #run} against a server the caller started (and closes). */
  static String runAgainst(
      ModelServer server, Duration timeout, Map<String, String> env, String... files)
      throws Exception {
    String python = python();
    server.awaitModelsLoaded(Duration.ofSeconds(60));
    Path log = Files.createTempFile("pytest", ".log");
    List<String> command =
        new ArrayList<>(List.of(python, "-m", "pytest", "-v", "-rs", "-p", "no:cacheprovider"));
    for (String file : files) {
      command.add("src/test/python/" + file);
    }
    ProcessBuilder pytest =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pytest.environment().put("SKIFF_URL", "http://127.0.0.1:" + server.port());
    pytest.environment().put("SKIFF_EXAMPLES", Path.of("../examples").toAbsolutePath().toString());
    if (server.grpcPort() != ServeOptions.GRPC_OFF) {
      pytest.environment().put("SKIFF_GRPC", "127.0.0.1:" + server.grpcPort());
    }
    pytest.environment().putAll(env);
    Process process = pytest.start();
    boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println(output);
    assertThat(finished).as("pytest finished in time").isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  static String run(Duration timeout, String... files) throws Exception {
    return run(timeout, Map.of(), files);
  }
}
