package dev.skiff.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The parsing layer under the modes: defaults, conversions and their messages. */
class ModeOptionsTest {

  @Test
  void defaultsReachTheOptionsWhenNotGiven() throws UsageException {
    ModeArguments serve = new ServeCommand().options().parse("models");
    assertThat(serve.pathParameter(0)).isEqualTo(Path.of("models"));
    assertThat(ListenAddress.from(serve)).isEqualTo(new ListenAddress("0.0.0.0", 8080));
    assertThat(serve.integer("--intra-op-threads")).isEqualTo(1);
    assertThat(serve.integer("--inference-threads")).isNull(); // ServeOptions picks per core
    String device = System.getenv("SKIFF_DEVICE");
    assertThat(serve.string("--device")).isEqualTo(device != null ? device : "cpu");

    ModeArguments route = new RouteCommand().options().parse("--config", "router.yaml");
    assertThat(route.path("--config")).isEqualTo(Path.of("router.yaml"));
    assertThat(ListenAddress.from(route)).isEqualTo(new ListenAddress("0.0.0.0", 8080));
    assertThat(route.longInteger("--connect-timeout-ms")).isEqualTo(2000L);

    ModeArguments fetch = new FetchCommand().options().parse("file:///m.onnx", "/models/m/v1");
    assertThat(fetch.value("--read-timeout", FetchCommand::toDuration))
        .isEqualTo(Duration.ofSeconds(60));
    assertThat(fetch.integer("--retries")).isEqualTo(4);
    assertThat(fetch.bool("--s3-path-style")).isNull(); // decided by whether an endpoint is set
    assertThat(fetch.path("--termination-log")).isEqualTo(Path.of("/dev/termination-log"));
  }

  @Test
  void givenValuesReplaceTheDefaultsInEitherSpelling() throws UsageException {
    ModeArguments serve =
        new ServeCommand().options().parse("--port=9000", "models", "--host", "127.0.0.1");
    assertThat(ListenAddress.from(serve)).isEqualTo(new ListenAddress("127.0.0.1", 9000));
    assertThat(serve.parameter(0)).isEqualTo("models");
    // After --, an argument that looks like an option is a parameter.
    assertThat(new ServeCommand().options().parse("--", "--models").parameter(0))
        .isEqualTo("--models");
  }

  @Test
  void optionalBooleansTakeOnlyTrueOrFalseAsTheirValue() throws UsageException {
    ModeOptions fetch = new FetchCommand().options();
    ModeArguments bare = fetch.parse("--allow-private-addresses", "http://10.0.0.1/m.onnx", "d");
    assertThat(bare.bool("--allow-private-addresses")).isTrue();
    assertThat(bare.parameter(0)).isEqualTo("http://10.0.0.1/m.onnx"); // not taken as the value
    assertThat(fetch.parse("u", "d", "--s3-path-style", "FALSE").bool("--s3-path-style")).isFalse();
    assertThat(fetch.parse("u", "d", "--s3-path-style=true").bool("--s3-path-style")).isTrue();
    ModeArguments maybe = fetch.parse("u", "d", "--s3-path-style=maybe");
    assertThatThrownBy(() -> maybe.bool("--s3-path-style"))
        .isInstanceOf(UsageException.class)
        .hasMessage("Invalid value for option '--s3-path-style': 'maybe' is not a boolean");
  }

  @Test
  void badValuesNameTheOptionAndTheValue() throws UsageException {
    ModeArguments fetch =
        new FetchCommand().options().parse("u", "d", "--read-timeout", "soon", "--retries", "x");
    assertThatThrownBy(() -> fetch.value("--read-timeout", FetchCommand::toDuration))
        .isInstanceOf(UsageException.class)
        .hasMessage(
            "Invalid value for option '--read-timeout': 'soon' is not a duration (use e.g. 500ms,"
                + " 10s, 2m)");
    assertThatThrownBy(() -> fetch.integer("--retries"))
        .hasMessage("Invalid value for option '--retries': 'x' is not an int");
    ModeArguments route =
        new RouteCommand().options().parse("--config", "r.yaml", "--max-payload-bytes", "1e6");
    assertThatThrownBy(() -> route.longInteger("--max-payload-bytes"))
        .hasMessage("Invalid value for option '--max-payload-bytes': '1e6' is not a long");
  }

  @Test
  void durationsReadShortFormsAndIso8601AndMustBePositive() {
    assertThat(FetchCommand.toDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(FetchCommand.toDuration("2M")).isEqualTo(Duration.ofMinutes(2));
    assertThat(FetchCommand.toDuration("PT1H30M")).isEqualTo(Duration.ofMinutes(90));
    assertThatThrownBy(() -> FetchCommand.toDuration("0s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'0s' must be more than zero");
  }

  @Test
  void helpSkipsTheChecksOfAnIncompleteCommandLine() throws UsageException {
    assertThat(new RouteCommand().options().parse("--help").helpRequested()).isTrue();
    assertThatThrownBy(() -> new RouteCommand().options().parse())
        .isInstanceOf(UsageException.class)
        .hasMessage("Missing required option: '--config=<file>'");
    assertThatThrownBy(() -> new FetchCommand().options().parse())
        .hasMessage("Missing required parameters: '<uri>', '<dest>'");
  }

  @Test
  void helpWrapsDescriptionsUnderEachOtherWithinEightyColumns() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new ServeCommand()
        .options()
        .printHelp(new PrintStream(bytes, true, StandardCharsets.UTF_8), "x");
    String help = bytes.toString(StandardCharsets.UTF_8);
    assertThat(help.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
    assertThat(help).contains("  -h, --help ").contains("      --port=<port> ");
  }
}
