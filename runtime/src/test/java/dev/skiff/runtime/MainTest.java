package dev.skiff.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void helpListsTheModesAndServeOptions() {
    assertThat(run("--help").out()).contains("serve");
    Run serveHelp = run("serve", "--help");
    assertThat(serveHelp.exit()).isZero();
    assertThat(serveHelp.out())
        .contains("<model-repository>", "--port", "--auth-tokens-file", "--max-payload-bytes");
  }

  @Test
  void badArgumentsAreClearErrorsWithExitCode2() {
    Run noMode = run();
    assertThat(noMode.exit()).isEqualTo(2);
    assertThat(noMode.err()).contains("a mode is required");
    Run noRepo = run("serve");
    assertThat(noRepo.exit()).isEqualTo(2);
    assertThat(noRepo.err()).contains("Missing required parameter: '<model-repository>'");
    Run badPort = run("serve", "x", "--port", "eighty");
    assertThat(badPort.exit()).isEqualTo(2);
    assertThat(badPort.err()).contains("Invalid value for option '--port'");
  }

  @Test
  void missingRepositoryFailsWithExitCode1() {
    assertThat(run("serve", "/nonexistent/models", "--port", "0").exit()).isEqualTo(1);
  }
}
