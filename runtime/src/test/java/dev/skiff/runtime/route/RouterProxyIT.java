package dev.skiff.runtime.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy hop itself, against a plain Helidon backend on a real port that records what reached
 * it: how bodies are framed and streamed, which headers cross, and what the router does when the
 * backend redirects, answers late or drops the connection.
 */
class RouterProxyIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** What the backend saw of the last request to {@code /echo} or {@code /big}. */
  record Seen(
      String method,
      String target,
      Map<String, List<String>> headers,
      long bodyBytes,
      String bodySha256) {
    String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null ? null : String.join(",", values);
    }
  }

  static final AtomicReference<Seen> SEEN = new AtomicReference<>();
  static final CountDownLatch RELEASE_SLOW = new CountDownLatch(1);
  static WebServer backend;

  @TempDir Path configDir;
  RouterServer router;

  @BeforeAll
  static void startBackend() {
    backend =
        WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .routing(
                r ->
                    r.get("/health/ready", (req, res) -> res.send())
                        .any("/echo", RouterProxyIT::echo)
                        .any("/echo/*", RouterProxyIT::echo)
                        .post(
                            "/big",
                            (req, res) -> {
                              MessageDigest digest = MessageDigest.getInstance("SHA-256");
                              long n = 0;
                              byte[] buffer = new byte[64 * 1024];
                              try (InputStream in = req.content().inputStream()) {
                                for (int r0; (r0 = in.read(buffer)) > 0; ) {
                                  digest.update(buffer, 0, r0);
                                  n += r0;
                                }
                              }
                              SEEN.set(seen(req, n, HexFormat.of().formatHex(digest.digest())));
                              long out = Long.parseLong(req.query().get("bytes"));
                              try (OutputStream os = res.outputStream()) {
                                writePattern(os, out);
                              }
                            })
                        .get(
                            "/redirect",
                            (req, res) -> {
                              res.status(Status.FOUND_302);
                              res.header(HeaderNames.LOCATION, "/echo");
                              res.send();
                            })
                        .get("/nothing", (req, res) -> res.status(Status.NO_CONTENT_204).send())
                        .get(
                            "/slow",
                            (req, res) -> {
                              RELEASE_SLOW.await(20, TimeUnit.SECONDS);
                              res.send("late");
                            }))
            .build()
            .start();
  }

  /** Records what arrived and sends the body back. */
  static void echo(ServerRequest req, ServerResponse res) throws IOException {
    byte[] body = req.content().inputStream().readAllBytes();
    SEEN.set(seen(req, body.length, sha256(body)));
    res.header("Set-Cookie", "session=abc");
    res.header("Keep-Alive", "timeout=5");
    res.header("X-Request-Id", "the-backend-s-own");
    res.send(body);
  }

  @AfterAll
  static void stopBackend() {
    RELEASE_SLOW.countDown();
    backend.stop();
  }

  @AfterEach
  void stopRouter() {
    if (router != null) {
      router.close();
    }
  }

  // ---------------------------------------------------------------- bodies

  @Test
  void contentLengthIsKeptAndChunkedStaysChunked() throws Exception {
    router = startRouter(backend.port(), Duration.ofSeconds(30));
    byte[] body = "{\"inputs\": []}".getBytes(StandardCharsets.UTF_8);

    HttpResponse<byte[]> sized =
        send(
            HttpRequest.newBuilder(uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    assertThat(sized.statusCode()).isEqualTo(200);
    assertThat(sized.body()).isEqualTo(body);
    Seen seen = SEEN.get();
    assertThat(seen.header("content-length")).isEqualTo(Integer.toString(body.length));
    assertThat(seen.header("transfer-encoding")).isNull();

    HttpResponse<byte[]> chunked =
        send(
            HttpRequest.newBuilder(uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> stream(body)))
                .build());
    assertThat(chunked.statusCode()).isEqualTo(200);
    assertThat(chunked.body()).isEqualTo(body);
    seen = SEEN.get();
    assertThat(seen.header("transfer-encoding")).isEqualTo("chunked");
    assertThat(seen.header("content-length")).isNull();
    assertThat(seen.bodyBytes()).isEqualTo(body.length);
  }

  @Test
  void largeBodiesAreStreamedBothWays() throws Exception {
    router = startRouter(backend.port(), Duration.ofSeconds(30));
    long up = 24L * 1024 * 1024;
    long down = 40L * 1024 * 1024;
    Path upload = configDir.resolve("upload.bin");
    try (OutputStream out = Files.newOutputStream(upload)) {
      writePattern(out, up);
    }
    HttpResponse<InputStream> response =
        CLIENT.send(
            HttpRequest.newBuilder(uri("/big?bytes=" + down))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> open(upload)))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    long received = 0;
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = response.body()) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
        received += n;
      }
    }
    assertThat(received).isEqualTo(down);
    assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(patternSha256(down));
    Seen seen = SEEN.get();
    assertThat(seen.bodyBytes()).isEqualTo(up);
    assertThat(seen.bodySha256()).isEqualTo(patternSha256(up));
    assertThat(seen.header("transfer-encoding")).isEqualTo("chunked");
  }

  // ---------------------------------------------------------------- headers

  @Test
  @SuppressWarnings("StringConcatToTextBlock") // HTTP wants CRLF line ends, text blocks have LF
  void headersCrossAsAReverseProxyPassesThem() throws Exception {
    router = startRouter(backend.port(), Duration.ofSeconds(30));
    String answer =
        raw(
            "POST /echo?b=%20x&a=1 HTTP/1.1\r\n"
                + "Host: models.example.com\r\n"
                + "Authorization: Bearer t0k3n\r\n"
                + "Connection: keep-alive, X-Private\r\n"
                + "X-Private: hop\r\n"
                + "Keep-Alive: timeout=9\r\n"
                + "TE: trailers\r\n"
                + "X-Forwarded-For: 10.0.0.1\r\n"
                + "X-Request-Id: trace-7\r\n"
                + "X-Custom: one\r\n"
                + "X-Custom: two\r\n"
                + "Content-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n"
                + "\r\n"
                + "2\r\n{}\r\n0\r\n\r\n");
    assertThat(answer).startsWith("HTTP/1.1 200");
    Seen seen = SEEN.get();
    assertThat(seen.method()).isEqualTo("POST");
    assertThat(seen.target()).isEqualTo("/echo?b=%20x&a=1");
    assertThat(seen.header("host")).isEqualTo("127.0.0.1:" + backend.port());
    assertThat(seen.header("x-forwarded-host")).isEqualTo("models.example.com");
    assertThat(seen.header("x-forwarded-proto")).isEqualTo("http");
    assertThat(seen.header("x-forwarded-for")).isEqualTo("10.0.0.1, 127.0.0.1");
    assertThat(seen.header("x-request-id")).isEqualTo("trace-7");
    assertThat(seen.header("authorization")).isEqualTo("Bearer t0k3n");
    assertThat(seen.headers().get("x-custom")).containsExactly("one", "two");
    assertThat(seen.header("content-type")).isEqualTo("application/json");
    assertThat(seen.headers())
        .doesNotContainKeys("x-private", "te", "accept-encoding", "expect", "x-model-version");
    assertThat(seen.header("keep-alive")).isNull();
    assertThat(seen.header("transfer-encoding")).isEqualTo("chunked");
    assertThat(seen.bodyBytes()).isEqualTo(2);

    HttpResponse<byte[]> response =
        send(HttpRequest.newBuilder(uri("/echo")).header("X-Request-Id", "trace-8").GET().build());
    assertThat(response.headers().allValues("Set-Cookie")).containsExactly("session=abc");
    assertThat(response.headers().allValues("X-Request-Id")).containsExactly("trace-8");
    assertThat(response.headers().firstValue("X-Model-Version")).contains("v1");
    assertThat(response.headers().firstValue("Keep-Alive")).isEmpty();
  }

  @Test
  void anEncodedTargetReachesTheBackendAsItCame() throws Exception {
    router = startRouter(backend.port(), Duration.ofSeconds(30));
    for (String target :
        List.of(
            "/echo?q=%7Bx%7D&path=a%2Fb&plus=1+2&pct=%25",
            "/echo/a%20b%2Fc/%7Bd%7D?z=1&a=2&z=3&flag&e=%3D%26", "/echo/twice?")) {
      String answer = raw("GET " + target + " HTTP/1.1\r\nHost: r\r\nConnection: close\r\n\r\n");
      assertThat(answer).as(target).startsWith("HTTP/1.1 200");
      assertThat(SEEN.get().target()).as(target).isEqualTo(target);
    }
  }

  // ---------------------------------------------------------------- request targets

  /**
   * Only origin-form targets ({@code /path?query}) are forwarded. The others are answered 400 by
   * the router itself, naming the target, and never reach a backend: {@code *} (OPTIONS to the
   * server), a relative path, absolute-form (meant for a forward proxy) and a target with user info
   * (once a null pointer, 500).
   */
  @Test
  void targetsThatAreNotOriginFormAre400NamingTheTarget() throws Exception {
    router = startRouter(backend.port(), Duration.ofSeconds(30));
    for (String requestLine :
        List.of(
            "OPTIONS * HTTP/1.1",
            "POST v2/models/x/infer HTTP/1.1",
            "GET http://other.example/echo HTTP/1.1",
            "GET http://127.0.0.1:" + backend.port() + "/echo HTTP/1.1",
            "GET a:b@host/x HTTP/1.1")) {
      SEEN.set(null);
      String answer =
          rawAll(requestLine + "\r\nHost: r\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      String target =
          requestLine.substring(requestLine.indexOf(' ') + 1, requestLine.lastIndexOf(' '));
      assertThat(answer).as(requestLine).startsWith("HTTP/1.1 400 ");
      assertThat(answer).as(requestLine).contains("application/json");
      assertThat(
              JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).get("error").asText())
          .as(requestLine)
          .isEqualTo(
              "the request target '"
                  + target
                  + "' is not a path starting with '/'; the router forwards only origin-form"
                  + " targets (/path?query)");
      assertThat(SEEN.get()).as(requestLine + " reached no backend").isNull();
    }
    assertThat(metrics())
        .contains("skiff_router_requests_total{code=\"400\",model=\"m\",version=\"none\"} 5.0");
  }

  // ---------------------------------------------------------------- statuses

  @Test
  void redirectsNoContentAndHeadArePassedOnAsTheyAre() throws Exception {
    router = startRouter(backend.port(), Duration.ofSeconds(30));
    HttpResponse<byte[]> redirect = send(HttpRequest.newBuilder(uri("/redirect")).GET().build());
    assertThat(redirect.statusCode()).as("not followed").isEqualTo(302);
    assertThat(redirect.headers().firstValue("Location")).contains("/echo");

    HttpResponse<byte[]> nothing = send(HttpRequest.newBuilder(uri("/nothing")).GET().build());
    assertThat(nothing.statusCode()).isEqualTo(204);
    assertThat(nothing.body()).isEmpty();

    HttpResponse<byte[]> head =
        send(
            HttpRequest.newBuilder(uri("/echo"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(SEEN.get().method()).isEqualTo("HEAD");

    HttpResponse<byte[]> after = send(HttpRequest.newBuilder(uri("/echo")).GET().build());
    assertThat(after.statusCode()).isEqualTo(200);
  }

  @Test
  void backendSlowerThanTheResponseTimeoutIs504AndTheNextCallIsFine() throws Exception {
    router = startRouter(backend.port(), Duration.ofMillis(500));
    HttpResponse<byte[]> slow = send(HttpRequest.newBuilder(uri("/slow")).GET().build());
    assertThat(slow.statusCode()).isEqualTo(504);
    assertThat(slow.headers().firstValue("X-Model-Version")).contains("v1");
    assertThat(JSON.readTree(slow.body()).get("error").asText())
        .isEqualTo("model version 'v1' did not answer in time");

    byte[] body = "after".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 5; i++) {
      HttpResponse<byte[]> next =
          send(
              HttpRequest.newBuilder(uri("/echo"))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build());
      assertThat(next.statusCode()).isEqualTo(200);
      assertThat(next.body()).isEqualTo(body);
    }
    assertThat(metrics())
        .contains(
            "skiff_router_backend_errors_total{kind=\"timeout\",model=\"m\",version=\"v1\"} 1.0")
        .contains("skiff_router_requests_total{code=\"504\",model=\"m\",version=\"v1\"} 1.0");
  }

  @Test
  void backendThatDropsTheConnectionIs502AndOnlyIdempotentCallsAreRetried() throws Exception {
    try (Dropper dropper = new Dropper()) {
      router = startRouter(dropper.port(), Duration.ofSeconds(30));
      int before = dropper.dropped();
      HttpResponse<byte[]> post =
          send(
              HttpRequest.newBuilder(uri("/echo"))
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build());
      assertThat(post.statusCode()).isEqualTo(502);
      assertThat(JSON.readTree(post.body()).get("error").asText())
          .isEqualTo("model version 'v1' closed the connection without an answer");
      assertThat(dropper.dropped() - before).as("a POST is not sent twice").isEqualTo(1);

      HttpResponse<byte[]> get = send(HttpRequest.newBuilder(uri("/echo")).GET().build());
      assertThat(get.statusCode()).isEqualTo(502);
      assertThat(dropper.dropped() - before).as("a GET is sent once more").isEqualTo(3);
      assertThat(metrics())
          .contains("skiff_router_backend_errors_total{kind=\"io\",model=\"m\",version=\"v1\"} 3.0")
          .contains("skiff_router_retries_total{model=\"m\",version=\"v1\"} 1.0");
    }
  }

  @Test
  void closedPortIs502CannotConnect() throws Exception {
    try (Dropper dropper = new Dropper()) {
      router = startRouter(dropper.port(), Duration.ofSeconds(30));
      dropper.close();
      HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri("/echo")).GET().build());
      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(JSON.readTree(response.body()).get("error").asText())
          .isEqualTo("cannot connect to model version 'v1'");
      assertThat(metrics())
          .contains(
              "skiff_router_backend_errors_total{kind=\"connect\",model=\"m\",version=\"v1\"} 2.0")
          .contains("skiff_router_retries_total{model=\"m\",version=\"v1\"} 1.0");
    }
  }

  // ---------------------------------------------------------------- helpers

  /**
   * A backend that answers its health check and drops every other request without a byte of answer,
   * counting them.
   */
  static final class Dropper implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread thread;
    private final AtomicInteger dropped = new AtomicInteger();

    Dropper() throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread = Thread.ofVirtual().start(this::serve);
    }

    int port() {
      return socket.getLocalPort();
    }

    int dropped() {
      return dropped.get();
    }

    private void serve() {
      while (!socket.isClosed()) {
        try {
          Socket connection = socket.accept();
          Thread.ofVirtual().start(() -> answer(connection));
        } catch (IOException e) {
          return;
        }
      }
    }

    private void answer(Socket connection) {
      try (connection) {
        InputStream in = connection.getInputStream();
        while (true) {
          String head = readHead(in);
          if (head == null) {
            return;
          }
          if (!head.startsWith("GET /health/ready ")) {
            dropped.incrementAndGet();
            return;
          }
          connection
              .getOutputStream()
              .write(
                  "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                      .getBytes(StandardCharsets.US_ASCII));
        }
      } catch (IOException e) {
        // the router went away
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      thread.interrupt();
    }
  }

  static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    for (int b; (b = in.read()) >= 0; ) {
      head.append((char) b);
      if (head.toString().endsWith("\r\n\r\n")) {
        return head.toString();
      }
    }
    return null;
  }

  static Seen seen(ServerRequest req, long bodyBytes, String sha256) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Header header : req.headers()) {
      headers.put(header.headerName().lowerCase(), header.allValues());
    }
    // the target as it came, a trailing '?' included
    String path = req.prologue().uriPath().rawPath();
    return new Seen(
        req.prologue().method().text(),
        req.prologue().hasQuery() ? path + "?" + req.prologue().query().rawValue() : path,
        headers,
        bodyBytes,
        sha256);
  }

  /**
   * Sends raw bytes to the router and reads one answer, head and body (by its Content-Length: the
   * router may keep the connection open after {@code Connection: close}).
   */
  String rawAll(String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), router.port())) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      if (head == null) {
        return "";
      }
      int length = 0;
      for (String line : head.split("\r\n", -1)) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring("content-length:".length()).strip());
        }
      }
      return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }
  }

  /** Sends raw bytes to the router (for headers the JDK client will not send) and reads all. */
  String raw(String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), router.port())) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      String head = readHead(socket.getInputStream());
      return head == null ? "" : head;
    }
  }

  static void writePattern(OutputStream out, long bytes) throws IOException {
    byte[] block = new byte[64 * 1024];
    for (int i = 0; i < block.length; i++) {
      block[i] = (byte) (i * 31 + 7);
    }
    for (long left = bytes; left > 0; left -= block.length) {
      out.write(block, 0, (int) Math.min(block.length, left));
    }
  }

  static String patternSha256(long bytes) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    writePattern(
        new OutputStream() {
          @Override
          public void write(int b) {
            digest.update((byte) b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            digest.update(b, off, len);
          }
        },
        bytes);
    return HexFormat.of().formatHex(digest.digest());
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static InputStream stream(byte[] bytes) {
    return new ByteArrayInputStream(bytes);
  }

  static InputStream open(Path file) {
    try {
      return Files.newInputStream(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  RouterServer startRouter(int port, Duration responseTimeout) throws IOException {
    Path config = configDir.resolve("router.yaml");
    Files.writeString(
        config,
        "model: m\nversions:\n  - {name: v1, url: \"http://127.0.0.1:"
            + port
            + "\", weight: 100}\n");
    return RouterServer.start(
        RouterOptions.builder(config)
            .host("127.0.0.1")
            .port(0)
            .configPollInterval(Duration.ofSeconds(10))
            .healthInterval(Duration.ofSeconds(10))
            .healthTimeout(Duration.ofSeconds(2))
            .connectTimeout(Duration.ofSeconds(2))
            .responseTimeout(responseTimeout)
            .build());
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + router.port() + path);
  }

  String metrics() throws Exception {
    return new String(
        send(HttpRequest.newBuilder(uri("/metrics")).GET().build()).body(), StandardCharsets.UTF_8);
  }

  static HttpResponse<byte[]> send(HttpRequest request) throws Exception {
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }
}
