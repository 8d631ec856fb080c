package dev.skiff.runtime.fetch;

import static dev.skiff.runtime.fetch.TestArchives.archive;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.skiff.runtime.Main;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fetch} against a real HTTP server on 127.0.0.1 that misbehaves on purpose. */
class FetchIT {
  private static final byte[] MODEL = "onnx weights, pretend".getBytes(StandardCharsets.UTF_8);
  private static final Map<String, byte[]> FILES = new ConcurrentHashMap<>();
  private static final AtomicInteger FLAKY_CALLS = new AtomicInteger();
  private static HttpServer server;
  private static ExecutorService executor;
  private static String base;
  private static ServerSocket truncating;

  @TempDir Path tmp;

  @BeforeAll
  static void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    server.createContext("/files/", FetchIT::serveFile);
    server.createContext("/missing.onnx", ex -> respond(ex, 404, new byte[0]));
    server.createContext(
        "/slow.onnx",
        ex -> {
          ex.sendResponseHeaders(200, 1000);
          OutputStream out = ex.getResponseBody();
          out.write(new byte[10]);
          out.flush();
          sleep(Duration.ofSeconds(3));
          ex.close();
        });
    server.createContext(
        "/flaky.onnx",
        ex -> {
          if (FLAKY_CALLS.getAndIncrement() == 0) {
            respond(ex, 503, "busy".getBytes(StandardCharsets.UTF_8));
          } else {
            respond(ex, 200, MODEL);
          }
        });
    server.createContext("/big.onnx", ex -> respond(ex, 200, new byte[10_000]));
    server.createContext(
        "/hop/",
        ex -> {
          int n = Integer.parseInt(ex.getRequestURI().getPath().substring("/hop/".length()));
          String next = n == 0 ? "/files/model.onnx" : "/hop/" + (n - 1);
          ex.getResponseHeaders().add("Location", next);
          respond(ex, 302, new byte[0]);
        });
    server.createContext(
        "/to-metadata.onnx",
        ex -> {
          ex.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/x.onnx");
          respond(ex, 302, new byte[0]);
        });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
    truncating = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(FetchIT::serveTruncated);
    FILES.put("model.onnx", MODEL);
    FILES.put(
        "good.tar.gz",
        archive().file("model.onnx", "from tar").file("vocab/words.txt", "w").tarGz());
    FILES.put("good.zip", archive().file("model.onnx", "from zip").zip());
    FILES.put("traversal.tar.gz", archive().file("model.onnx", "ok").file("../evil", "x").tarGz());
    FILES.put("absolute.tar.gz", archive().file("/tmp/skiff-fetchit-evil", "x").tarGz());
    FILES.put("symlink.tar.gz", archive().symlink("link", "../../outside").tarGz());
    FILES.put("traversal.zip", archive().file("model.onnx", "ok").file("../evil", "x").zip());
    FILES.put("absolute.zip", archive().file("/tmp/skiff-fetchit-evil", "x").zip());
    FILES.put("symlink.zip", archive().symlink("link", "/etc/passwd").zip());
    for (TestArchives.Type special :
        new TestArchives.Type[] {
          TestArchives.Type.FIFO, TestArchives.Type.CHAR_DEVICE, TestArchives.Type.BLOCK_DEVICE
        }) {
      // the good file first: a refusal part-way must not leave it behind as a version
      TestArchives archive = archive().file("model.onnx", "ok").special(special, "special");
      FILES.put(special + ".tar.gz", archive.tarGz());
      FILES.put(special + ".zip", archive.zip());
    }
  }

  @AfterAll
  static void stopServer() {
    server.stop(0);
    executor.shutdownNow();
    try {
      truncating.close();
    } catch (IOException e) {
      // the accept loop ends either way
    }
  }

  /** Announces 1000 bytes, sends 100 and closes the connection: a body cut off mid-way. */
  private static void serveTruncated() {
    while (!truncating.isClosed()) {
      try (Socket socket = truncating.accept()) {
        BufferedReader request =
            new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        String line;
        while ((line = request.readLine()) != null && !line.isEmpty()) {
          // skip the request headers
        }
        OutputStream out = socket.getOutputStream();
        out.write(
            "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[100]);
        out.flush();
      } catch (IOException e) {
        // closed at the end of the test class
      }
    }
  }

  private static void serveFile(HttpExchange ex) throws IOException {
    byte[] body = FILES.get(ex.getRequestURI().getPath().substring("/files/".length()));
    respond(ex, body == null ? 404 : 200, body == null ? new byte[0] : body);
  }

  private static void respond(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static FetchOptions.Builder options() {
    return FetchOptions.builder()
        .allowPrivateAddresses(true) // the test server is on 127.0.0.1
        .connectTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofSeconds(5))
        .attempts(3)
        .initialBackoff(Duration.ofMillis(20));
  }

  private Path dest() {
    return tmp.resolve("repo/iris/v1");
  }

  private FetchException failure(FetchOptions options, String uri) {
    try (Fetcher fetcher = new Fetcher(options)) {
      fetcher.fetch(uri, dest());
    } catch (FetchException e) {
      return e;
    }
    throw new AssertionError("fetch of " + uri + " succeeded");
  }

  private void assertNothingLeft() throws IOException {
    assertThat(dest()).doesNotExist();
    if (Files.exists(dest().getParent())) {
      try (Stream<Path> left = Files.list(dest().getParent())) {
        assertThat(left).as("staging folders are removed").isEmpty();
      }
    }
  }

  @Test
  void okDownloadsTheFileAndVerifiesItsChecksum() throws Exception {
    String sha = FetchCommandTest.sha256(new String(MODEL, StandardCharsets.UTF_8));
    try (Fetcher fetcher = new Fetcher(options().expectedSha256(sha).build())) {
      FetchResult result = fetcher.fetch(base + "/files/model.onnx", dest());
      assertThat(result.sha256()).isEqualTo(sha);
      assertThat(result.bytes()).isEqualTo(MODEL.length);
    }
    assertThat(dest().resolve("model.onnx")).hasBinaryContent(MODEL);
  }

  @Test
  void notFoundIsNotRetried() throws IOException {
    FetchException e = failure(options().build(), base + "/missing.onnx");
    assertThat(e.reason()).isEqualTo(FetchReason.NOT_FOUND);
    assertThat(e.getMessage()).contains("HTTP 404").doesNotContain("attempt");
    assertNothingLeft();
  }

  @Test
  void truncatedBodyIsNetworkAfterRetriesAndLeavesNoFile() throws IOException {
    String uri = "http://127.0.0.1:" + truncating.getLocalPort() + "/truncated.onnx";
    FetchException e = failure(options().build(), uri);
    assertThat(e.reason()).isEqualTo(FetchReason.NETWORK);
    assertThat(e.getMessage()).contains("gave up after 3 attempt(s)");
    assertNothingLeft();
  }

  @Test
  void bodyStalledPastTheReadTimeoutIsNetwork() throws IOException {
    FetchException e =
        failure(
            options().readTimeout(Duration.ofMillis(300)).attempts(1).build(), base + "/slow.onnx");
    assertThat(e.reason()).isEqualTo(FetchReason.NETWORK);
    assertThat(e.getMessage()).contains("no data for 300 ms");
    assertNothingLeft();
  }

  @Test
  void wrongChecksumIsChecksumMismatchAndLeavesNoFile() throws IOException {
    FetchException e =
        failure(options().expectedSha256("ab".repeat(32)).build(), base + "/files/model.onnx");
    assertThat(e.reason()).isEqualTo(FetchReason.CHECKSUM_MISMATCH);
    assertNothingLeft();
  }

  @Test
  void contentLengthOverTheCapIsTooLarge() throws IOException {
    FetchException e = failure(options().maxBytes(1000).build(), base + "/big.onnx");
    assertThat(e.reason()).isEqualTo(FetchReason.TOO_LARGE);
    assertThat(e.getMessage()).contains("10000 bytes");
    assertNothingLeft();
  }

  @Test
  void redirectsAreFollowedUpToFiveAndRechecked() throws Exception {
    try (Fetcher fetcher = new Fetcher(options().build())) {
      fetcher.fetch(base + "/hop/4", dest()); // five redirects, then the file
    }
    assertThat(dest().resolve("4")).hasBinaryContent(MODEL);
    FetchException tooMany = failure(options().build(), base + "/hop/5");
    assertThat(tooMany.reason()).isEqualTo(FetchReason.REFUSED_URI);
    assertThat(tooMany.getMessage()).contains("more than 5 redirects");
    FetchException metadata = failure(options().build(), base + "/to-metadata.onnx");
    assertThat(metadata.reason()).isEqualTo(FetchReason.REFUSED_URI);
    assertThat(metadata.getMessage()).contains("169.254.169.254");
  }

  @Test
  void serviceUnavailableThenOkSucceedsAfterARetry() throws Exception {
    FLAKY_CALLS.set(0);
    try (Fetcher fetcher = new Fetcher(options().build())) {
      fetcher.fetch(base + "/flaky.onnx", dest());
    }
    assertThat(FLAKY_CALLS.get()).isEqualTo(2);
    assertThat(dest().resolve("flaky.onnx")).hasBinaryContent(MODEL);
  }

  @Test
  void privateAddressesNeedTheOptIn() throws IOException {
    FetchException e =
        failure(options().allowPrivateAddresses(false).build(), base + "/files/model.onnx");
    assertThat(e.reason()).isEqualTo(FetchReason.REFUSED_URI);
    assertThat(e.getMessage()).contains("--allow-private-addresses");
  }

  @Test
  void goodArchivesAreExtractedIntoTheVersionFolder() throws Exception {
    try (Fetcher fetcher = new Fetcher(options().build())) {
      FetchResult tar = fetcher.fetch(base + "/files/good.tar.gz", dest());
      assertThat(tar.extracted()).isTrue();
      assertThat(dest().resolve("model.onnx")).hasContent("from tar");
      assertThat(dest().resolve("vocab/words.txt")).hasContent("w");
      assertThat(dest().resolve("good.tar.gz")).doesNotExist();
      fetcher.fetch(base + "/files/good.zip", dest());
    }
    assertThat(dest().resolve("model.onnx")).hasContent("from zip");
    assertThat(dest().resolve("vocab")).doesNotExist(); // replaced whole, not merged
  }

  @Test
  void withoutUnpackingAZipIsKeptAsTheModelFile() throws Exception {
    // A Deeplearning4j ModelSerializer .zip is the model, not an archive of one.
    try (Fetcher fetcher = new Fetcher(options().unpackArchives(false).build())) {
      FetchResult zip = fetcher.fetch(base + "/files/good.zip", dest());
      assertThat(zip.extracted()).isFalse();
    }
    assertThat(dest().resolve("good.zip")).hasBinaryContent(FILES.get("good.zip"));
    assertThat(dest().resolve("model.onnx")).doesNotExist();
  }

  @Test
  void hostileArchivesAreBadArchiveAndWriteNothingOutside() throws IOException {
    for (String name :
        new String[] {
          "traversal.tar.gz",
          "absolute.tar.gz",
          "symlink.tar.gz",
          "traversal.zip",
          "absolute.zip",
          "symlink.zip"
        }) {
      FetchException e = failure(options().build(), base + "/files/" + name);
      assertThat(e.reason()).as(name).isEqualTo(FetchReason.BAD_ARCHIVE);
      assertNothingLeft();
      try (Stream<Path> all = Files.walk(tmp)) {
        assertThat(all.filter(p -> p.getFileName().toString().contains("evil"))).isEmpty();
      }
      assertThat(Path.of("/tmp/skiff-fetchit-evil")).doesNotExist();
      assertThat(tmp.resolve("repo/outside")).doesNotExist();
    }
  }

  @Test
  void fifoAndDeviceEntriesAreBadArchiveAndLeaveNothing() throws IOException {
    for (TestArchives.Type special :
        new TestArchives.Type[] {
          TestArchives.Type.FIFO, TestArchives.Type.CHAR_DEVICE, TestArchives.Type.BLOCK_DEVICE
        }) {
      for (String name : new String[] {special + ".tar.gz", special + ".zip"}) {
        FetchException e = failure(options().build(), base + "/files/" + name);
        assertThat(e.reason()).as(name).isEqualTo(FetchReason.BAD_ARCHIVE);
        assertThat(e.getMessage())
            .as(name)
            .startsWith("entry 'special' is a ")
            .containsAnyOf("fifo", "device")
            .contains("only files, folders and links are extracted");
        assertNothingLeft();
      }
    }

    Path log = tmp.resolve("termination-log");
    int exit =
        Main.run(
            new String[] {
              "fetch",
              base + "/files/FIFO.tar.gz",
              dest().toString(),
              "--allow-private-addresses",
              "--termination-log",
              log.toString()
            },
            System.out,
            System.err);
    assertThat(exit).isEqualTo(FetchReason.BAD_ARCHIVE.exitCode());
    assertThat(Files.readString(log))
        .isEqualTo(
            "BadArchive: entry 'special' is a fifo; only files, folders and links are extracted\n");
    assertNothingLeft();
  }

  @Test
  void commandLineExitCodeAndTerminationLog() throws IOException {
    Path log = tmp.resolve("termination-log");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Main.run(
            new String[] {
              "fetch",
              base + "/files/traversal.tar.gz",
              dest().toString(),
              "--allow-private-addresses",
              "--retry-backoff",
              "10ms",
              "--termination-log",
              log.toString()
            },
            System.out,
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(exit).isEqualTo(15);
    assertThat(Files.readString(log)).startsWith("BadArchive: entry '../evil'").endsWith("\n");
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("BadArchive: ");

    int missing =
        Main.run(
            new String[] {
              "fetch",
              base + "/missing.onnx",
              dest().toString(),
              "--allow-private-addresses",
              "--termination-log",
              log.toString()
            },
            System.out,
            System.err);
    assertThat(missing).isEqualTo(10);
    assertThat(Files.readString(log)).startsWith("NotFound: HTTP 404 from " + base);

    int ok =
        Main.run(
            new String[] {
              "fetch",
              base + "/files/model.onnx",
              dest().toString(),
              "--allow-private-addresses=true",
              "--termination-log",
              log.toString()
            },
            System.out,
            System.err);
    assertThat(ok).isZero();
    assertThat(Files.readString(log)).startsWith("Fetched: model.onnx");
    assertThat(dest().resolve("model.onnx")).hasBinaryContent(MODEL);

    int refused =
        Main.run(
            new String[] {
              "fetch",
              base + "/files/model.onnx",
              dest().toString(),
              "--termination-log",
              log.toString()
            },
            System.out,
            System.err);
    assertThat(refused).isEqualTo(14);
    assertThat(Files.readString(log)).startsWith("RefusedUri: host '127.0.0.1' resolves to");
  }
}
