package dev.skiff.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.runtime.web.Version;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {
  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Main.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpListsTheModesAndServeOptions() {
    Run help = run("--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("serve", "fetch", "route", "--version");
    assertThat(help.err()).isEmpty();
    Run serveHelp = run("serve", "--help");
    assertThat(serveHelp.exit()).isZero();
    assertThat(serveHelp.out())
        .contains("<model-repository>", "--port", "--auth-tokens-file", "--max-payload-bytes");
  }

  @Test
  void eachModesHelpListsItsOptionsWithDefaults() {
    Run serve = run("serve", "-h");
    assertThat(serve.exit()).isZero();
    assertThat(serve.out().replaceAll("\\s+", " ")) // descriptions wrap at 80 columns
        .contains(
            "Usage: skiff-runtime serve",
            "Open Inference Protocol V2",
            "--host=<host>",
            "Address to bind. Default: 0.0.0.0.",
            "Port to listen on (0 picks a free one). Default: 8080.",
            "--device=<cpu|gpu>",
            "--inference-threads",
            "--feedback-log-files");

    Run route = run("help", "route");
    assertThat(route.exit()).isZero();
    assertThat(route.out())
        .contains(
            "Usage: skiff-runtime route --config=<file> [OPTIONS]",
            "--port=<port>",
            "--health-interval-ms",
            "--shutdown-delay-s",
            "--mirror-max-in-flight");
    assertThat(route.out().replaceAll("\\s+", " "))
        .contains("How long connecting to a backend may take. Default: 2000.");

    Run fetch = run("fetch", "--help");
    assertThat(fetch.exit()).isZero();
    assertThat(fetch.out().replaceAll("\\s+", " "))
        .contains(
            "--allow-private-addresses[=<true|false>]",
            "--connect-timeout=<duration>",
            "Default: 10s.",
            "Largest download accepted. Default: 4294967296 (4 GiB).");
  }

  @Test
  void versionAtTheTopAndPerMode() {
    Run version = run("--version");
    assertThat(version.exit()).isZero();
    assertThat(version.out()).isEqualTo("skiff-runtime " + Version.current() + "\n");
    assertThat(run("-V").out()).isEqualTo(version.out());
    assertThat(run("route", "-V").out()).isEqualTo(version.out());
  }

  @Test
  void badArgumentsAreClearErrorsWithExitCode2() {
    Run noMode = run();
    assertThat(noMode.exit()).isEqualTo(2);
    assertThat(noMode.err()).contains("a mode is required");
    Run noRepo = run("serve");
    assertThat(noRepo.exit()).isEqualTo(2);
    assertThat(noRepo.err())
        .contains("Missing required parameter: '<model-repository>'")
        .contains("Try 'skiff-runtime serve --help'");
    assertThat(noRepo.out()).isEmpty();
    Run badPort = run("serve", "x", "--port", "eighty");
    assertThat(badPort.exit()).isEqualTo(2);
    assertThat(badPort.err()).contains("Invalid value for option '--port': 'eighty' is not an int");
  }

  @Test
  void unknownOptionsAndModesAreNamed() {
    Run unknownOption = run("serve", "x", "--prot", "80");
    assertThat(unknownOption.exit()).isEqualTo(2);
    assertThat(unknownOption.err()).startsWith("Unknown option: '--prot'\n");
    Run abbreviation = run("serve", "x", "--po", "80"); // no prefix matching: it names no option
    assertThat(abbreviation.exit()).isEqualTo(2);
    assertThat(abbreviation.err()).contains("Unknown option: '--po'");
    Run unknownMode = run("train", "x");
    assertThat(unknownMode.exit()).isEqualTo(2);
    assertThat(unknownMode.err()).contains("Unknown mode: 'train'");
    assertThat(run("help", "train").exit()).isEqualTo(2);
    Run unknownTopOption = run("--verbose");
    assertThat(unknownTopOption.exit()).isEqualTo(2);
    assertThat(unknownTopOption.err()).contains("Unknown option: '--verbose'");
  }

  @Test
  void optionMistakesAreUsageErrors() {
    Run device = run("serve", "x", "--device", "tpu");
    assertThat(device.exit()).isEqualTo(2);
    assertThat(device.err()).contains("--device must be cpu or gpu, not 'tpu'");
    Run missingValue = run("serve", "x", "--port");
    assertThat(missingValue.exit()).isEqualTo(2);
    assertThat(missingValue.err()).contains("Missing required parameter for option '--port'");
    Run twice = run("serve", "x", "--port", "1", "--port=2");
    assertThat(twice.exit()).isEqualTo(2);
    assertThat(twice.err()).contains("'--port'", "only once");
    Run extra = run("serve", "x", "y");
    assertThat(extra.exit()).isEqualTo(2);
    assertThat(extra.err()).contains("Unmatched argument: 'y'");
    Run noConfig = run("route", "--port", "0");
    assertThat(noConfig.exit()).isEqualTo(2);
    assertThat(noConfig.err()).contains("Missing required option: '--config=<file>'");
    Run badPoll = run("route", "--config", "r.yaml", "--config-poll-ms", "0");
    assertThat(badPoll.exit()).isEqualTo(2);
    assertThat(badPoll.err()).contains("intervals, timeouts");
  }

  @Test
  void missingRepositoryFailsWithExitCode1() {
    assertThat(run("serve", "/nonexistent/models", "--port", "0").exit()).isEqualTo(1);
  }
}
