package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests from a hostile-input run (issue 17), sent as raw bytes on a real socket so no HTTP
 * client normalises them: each must get a clear 4xx, never a 500.
 */
class HostileInputIT {
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(Path.of("../examples/models"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void rangeBeyondTheEndOfADocsAssetIs416() throws IOException {
    String answer =
        raw(
            lines(
                "GET /docs/swagger-ui.css HTTP/1.1",
                "Host: localhost",
                "Range: bytes=99999999-",
                "Connection: close"));
    assertThat(answer).startsWith("HTTP/1.1 416 ");
    assertThat(answer).contains("beyond the end");
  }

  @Test
  void malformedChunkSizesAre400() throws IOException {
    for (String size : List.of("zz", "2;ext=1")) {
      String answer =
          raw(
              lines(
                  "POST /v2/models/iris/infer HTTP/1.1",
                  "Host: localhost",
                  "Transfer-Encoding: chunked",
                  "Connection: close",
                  "",
                  size,
                  "{}",
                  "0"));
      assertThat(answer).as(size).startsWith("HTTP/1.1 400 ");
      assertThat(answer).as(size).contains("malformed chunked request body");
    }
  }

  @Test
  void nulInTheMethodIs400() throws IOException {
    String answer = raw(lines("GE\0T / HTTP/1.1", "Host: localhost", "Connection: close"));
    assertThat(answer).startsWith("HTTP/1.1 400 ");
    assertThat(answer).contains("malformed request line");
  }

  @Test
  void probes() throws IOException {
    // what the server answers to items not fixed yet (issue 17): printed, not asserted
    System.out.println(
        "PROBE userinfo target: "
            + firstLine(
                raw(lines("GET a:b@host/x HTTP/1.1", "Host: localhost", "Connection: close"))));
    System.out.println(
        "PROBE HTTP/1.0: "
            + firstLine(raw(lines("GET /v2/health/live HTTP/1.0", "Host: localhost"))));
  }

  private static String lines(String... lines) {
    return String.join("\r\n", lines) + "\r\n\r\n";
  }

  private static String firstLine(String answer) {
    int end = answer.indexOf("\r\n");
    return end < 0 ? answer : answer.substring(0, end);
  }

  private static String raw(String request) throws IOException {
    try (Socket socket = new Socket("localhost", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          answer.write(buffer, 0, n);
        }
      } catch (IOException e) {
        // a reset after the answer: keep what arrived
      }
      return answer.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
