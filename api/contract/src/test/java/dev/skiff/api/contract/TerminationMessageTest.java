package dev.skiff.api.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminationMessageTest {

  private static final String HEX = "a".repeat(64);

  @Test
  void theFetchedLineCarriesTheDigestTheOperatorReads() {
    String line = TerminationMessage.fetched("model.onnx", 1234, HEX, false, "/models/iris/v1");
    assertThat(line)
        .isEqualTo("Fetched: model.onnx (1234 bytes, sha256 " + HEX + ") into /models/iris/v1");
    assertThat(TerminationMessage.fetchedDigest(line + "\n")).contains("sha256:" + HEX);
    assertThat(
            TerminationMessage.fetchedDigest(
                TerminationMessage.fetched("m.tar.gz", 9, HEX, true, "/models/m/v1")))
        .contains("sha256:" + HEX);
    assertThat(TerminationMessage.fetchedDigest("NotFound: sha256 " + HEX)).isEmpty();
    assertThat(TerminationMessage.fetchedDigest(null)).isEmpty();
  }

  @Test
  void reasonAndDetailSplitAtTheFirstColon() {
    String line =
        TerminationMessage.of(
            TerminationMessage.MODEL_LOAD_FAILED,
            "model 'iris' version 'v1': input 'input' is declared FP32 [-1, 5]\nbut ...");
    assertThat(TerminationMessage.reason(line)).contains("ModelLoadFailed");
    assertThat(TerminationMessage.detail(line))
        .isEqualTo("model 'iris' version 'v1': input 'input' is declared FP32 [-1, 5] but ...");
    assertThat(TerminationMessage.reason("java.lang.OutOfMemoryError: heap")).isEmpty();
    assertThat(TerminationMessage.detail(" plain log line\n")).isEqualTo("plain log line");
    assertThat(TerminationMessage.oneLine("a\nb\r\nc " + "x".repeat(5000))).hasSize(1024);
  }

  @Test
  void serveIsToldToExitAndWhereToSayWhy() {
    assertThat(RuntimeCommand.serve("/models").exitOnLoadFailure("/dev/termination-log").args())
        .containsExactly(
            "serve",
            "/models",
            "--exit-on-load-failure",
            "--termination-log",
            "/dev/termination-log");
  }
}
