package dev.skiff.runtime.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.runtime.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code fetch} command line, end to end, with local sources (no network). */
class FetchCommandTest {
  @TempDir Path tmp;

  record Run(int exit, String out, String err, String terminationLog) {}

  Run fetch(String... args) throws IOException {
    Path log = tmp.resolve("termination-log");
    Files.deleteIfExists(log);
    List<String> all = new ArrayList<>(List.of("fetch"));
    all.addAll(List.of(args));
    all.addAll(List.of("--termination-log", log.toString()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Main.run(
            all.toArray(String[]::new),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String message = Files.exists(log) ? Files.readString(log) : null;
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), message);
  }

  @Test
  void exitCodesAndReasonWordsAreTheDocumentedTable() {
    assertThat(Stream.of(FetchReason.values()).map(r -> r.word() + "=" + r.exitCode()))
        .containsExactly(
            "NotFound=10",
            "ChecksumMismatch=11",
            "TooLarge=12",
            "Network=13",
            "RefusedUri=14",
            "BadArchive=15",
            "FetchFailed=1");
    assertThat(FetchException.of(FetchReason.TOO_LARGE, "x is 5 bytes").terminationMessage())
        .isEqualTo("TooLarge: x is 5 bytes");
  }

  @Test
  void helpListsTheOptions() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertThat(
            Main.run(
                new String[] {"fetch", "--help"},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                err))
        .isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains(
            "<uri>",
            "<dest>",
            "--sha256",
            "--read-timeout",
            "--max-bytes",
            "--allow-private-addresses",
            "--s3-endpoint",
            "--pvc-root",
            "--termination-log",
            "15 BadArchive");
  }

  @Test
  void fileUriIsFetchedVerifiedAndReportedInTheTerminationLog() throws Exception {
    Path source = Files.writeString(tmp.resolve("model.onnx"), "weights");
    Path dest = tmp.resolve("repo/iris/v1");
    Run run = fetch(source.toUri().toString(), dest.toString(), "--sha256", sha256("weights"));
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(dest.resolve("model.onnx")).hasContent("weights");
    assertThat(run.terminationLog()).startsWith("Fetched: model.onnx (7 bytes, sha256 ");
    try (Stream<Path> left = Files.list(dest.getParent())) {
      assertThat(left).containsExactly(dest); // no staging folder left behind
    }
  }

  @Test
  void refetchReplacesTheVersionFolderWhole() throws Exception {
    Path dest = tmp.resolve("repo/iris/v1");
    Files.createDirectories(dest);
    Files.writeString(dest.resolve("old.onnx"), "old");
    Files.createDirectories(tmp.resolve("repo/iris/.v1.fetch-123/download")); // killed attempt
    Path source = Files.writeString(tmp.resolve("model.onnx"), "new");
    assertThat(fetch(source.toUri().toString(), dest.toString()).exit()).isZero();
    try (Stream<Path> files = Files.list(dest)) {
      assertThat(files).containsExactly(dest.resolve("model.onnx"));
    }
    try (Stream<Path> left = Files.list(dest.getParent())) {
      assertThat(left).containsExactly(dest);
    }
  }

  @Test
  void failuresExitWithTheirCodeAndOneLineReason() throws Exception {
    Path dest = tmp.resolve("repo/iris/v1");
    Path source = Files.writeString(tmp.resolve("model.onnx"), "weights");

    Run missing = fetch(tmp.resolve("nope.onnx").toUri().toString(), dest.toString());
    assertThat(missing.exit()).isEqualTo(10);
    assertThat(missing.terminationLog()).startsWith("NotFound: ").endsWith("\n");
    assertThat(missing.err()).startsWith("NotFound: ");

    Run refused = fetch("ftp://example.com/model.onnx", dest.toString());
    assertThat(refused.exit()).isEqualTo(14);
    assertThat(refused.terminationLog()).startsWith("RefusedUri: scheme 'ftp' is not supported");

    Run mismatch = fetch(source.toUri().toString(), dest.toString(), "--sha256", "0".repeat(64));
    assertThat(mismatch.exit()).isEqualTo(11);
    assertThat(mismatch.terminationLog()).startsWith("ChecksumMismatch: model.onnx has sha256 ");

    Run tooLarge = fetch(source.toUri().toString(), dest.toString(), "--max-bytes", "3");
    assertThat(tooLarge.exit()).isEqualTo(12);
    assertThat(tooLarge.terminationLog()).startsWith("TooLarge: ");

    assertThat(dest).doesNotExist();
    try (Stream<Path> left = Files.list(dest.getParent())) {
      assertThat(left).isEmpty(); // staging folders removed on failure
    }
  }

  @Test
  void pvcPathsStayInsideTheMount() throws Exception {
    Path mount = Files.createDirectories(tmp.resolve("mnt/pvc"));
    Files.createDirectories(mount.resolve("iris"));
    Files.writeString(mount.resolve("iris/model.onnx"), "on the volume");
    Path secret = Files.writeString(tmp.resolve("token"), "service account token");
    Files.createSymbolicLink(mount.resolve("iris/evil.onnx"), secret);
    Path dest = tmp.resolve("repo/iris/v1");

    Run ok = fetch("pvc://claim/iris/model.onnx", dest.toString(), "--pvc-root", mount.toString());
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(dest.resolve("model.onnx")).hasContent("on the volume");

    Run escape =
        fetch("pvc://claim/iris/evil.onnx", dest.toString(), "--pvc-root", mount.toString());
    assertThat(escape.exit()).isEqualTo(14);
    assertThat(escape.terminationLog()).contains("outside the volume");
  }

  @Test
  void badArgumentsAreUsageErrors() throws IOException {
    Run noDest = fetch("file:///m/model.onnx");
    assertThat(noDest.exit()).isEqualTo(2);
    assertThat(noDest.err()).contains("Missing required parameter: '<dest>'");
    assertThat(noDest.terminationLog()).isNull(); // a usage error is not a fetch result
    Run shortSha = fetch("file:///m/model.onnx", "/tmp/x", "--sha256", "abc");
    assertThat(shortSha.exit()).isEqualTo(2);
    assertThat(shortSha.err()).contains("sha256").contains("Try 'skiff-runtime fetch --help'");
    Run badTimeout = fetch("file:///m/model.onnx", "/tmp/x", "--read-timeout", "soon");
    assertThat(badTimeout.exit()).isEqualTo(2);
    assertThat(badTimeout.err())
        .contains("Invalid value for option '--read-timeout': 'soon' is not a duration");
    Run negativeRetries = fetch("file:///m/model.onnx", "/tmp/x", "--retries", "-1");
    assertThat(negativeRetries.exit()).isEqualTo(2);
    assertThat(negativeRetries.err()).contains("--retries must be >= 0");
  }

  static String sha256(String text) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
