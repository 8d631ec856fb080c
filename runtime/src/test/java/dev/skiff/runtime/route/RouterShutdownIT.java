package dev.skiff.runtime.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.runtime.RuntimeProcess;
import io.helidon.webserver.WebServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real router process sent SIGTERM with {@code --shutdown-delay-s}: for the whole delay it keeps
 * accepting connections and answering them, readiness 503 and every response closing its
 * connection, so the Service moves clients to other router pods before this one stops; then it
 * stops. It logs when the shutdown starts and when it is done.
 */
class RouterShutdownIT {
  private static final long DELAY_SECONDS = 3;

  static WebServer backend;

  @TempDir Path work;

  @BeforeAll
  static void startBackend() {
    backend =
        WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .routing(
                r ->
                    r.get("/health/ready", (req, res) -> res.send())
                        .get("/v2/health/live", (req, res) -> res.send("live")))
            .build()
            .start();
  }

  @AfterAll
  static void stopBackend() {
    backend.stop();
  }

  @Test
  void afterSigtermItServesThroughTheDelayNotReadyThenStopsAndLogsBoth() throws Exception {
    Path config = work.resolve("router.yaml");
    Files.writeString(
        config,
        "model: m\nversions:\n  - {name: v1, url: \"http://127.0.0.1:"
            + backend.port()
            + "\", weight: 100}\n");
    try (RuntimeProcess router =
        RuntimeProcess.start(
            work.resolve("router.log"),
            "route",
            "--config",
            config.toString(),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--health-interval-ms",
            "200",
            "--shutdown-delay-s",
            Long.toString(DELAY_SECONDS))) {
      int port = router.awaitPort(Duration.ofSeconds(60));
      awaitReady(port);
      List<String> before;
      try (Socket kept = open(port)) {
        before = exchange(kept, "/v2/health/live");
        assertThat(before.getFirst()).contains("200");
        assertThat(before).doesNotContain("connection: close");

        long signalled = System.nanoTime();
        router.sigterm();
        Thread.sleep(300);

        // A connection opened before the signal is answered, and told to close.
        List<String> during = exchange(kept, "/v2/health/live");
        assertThat(during.getFirst()).contains("200");
        assertThat(during).contains("connection: close");

        // New connections are accepted and answered through the delay; readiness is 503.
        int answered = 0;
        while (System.nanoTime() - signalled < Duration.ofSeconds(DELAY_SECONDS - 1).toNanos()) {
          try (Socket fresh = open(port)) {
            List<String> proxied = exchange(fresh, "/v2/health/live");
            assertThat(proxied.getFirst())
                .as("a request %d ms into the drain", (System.nanoTime() - signalled) / 1_000_000)
                .contains("200");
            assertThat(proxied).contains("connection: close");
          }
          try (Socket fresh = open(port)) {
            List<String> ready = exchange(fresh, "/health/ready");
            assertThat(ready.getFirst()).contains("503");
            assertThat(ready).contains("connection: close");
          }
          answered++;
          Thread.sleep(250);
        }
        assertThat(answered).as("rounds answered during the drain").isGreaterThan(3);
      }

      router.awaitExit(Duration.ofSeconds(DELAY_SECONDS + 20));
      assertThat(refused(port)).as("the port is closed once stopped").isTrue();
      String log = router.log();
      assertThat(log)
          .containsPattern(
              "INFO dev.skiff.runtime.cli.UntilShutdown - shutdown signal received: draining for "
                  + DELAY_SECONDS
                  + " s \\(readiness 503, each connection closed after its response\\), then"
                  + " stopping");
      assertThat(log)
          .containsPattern(
              "INFO dev.skiff.runtime.cli.UntilShutdown - stopped, \\d+\\.\\d s after the shutdown"
                  + " signal");
      assertThat(log.indexOf("shutdown signal received")).isLessThan(log.indexOf(" - stopped"));
    }
  }

  private static void awaitReady(int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket socket = open(port)) {
        if (exchange(socket, "/health/ready").getFirst().contains("200")) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the router did not become ready");
  }

  private static boolean refused(int port) throws IOException {
    try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return false;
    } catch (ConnectException e) {
      return true;
    }
  }

  private static Socket open(int port) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(5_000);
    return socket;
  }

  /** One HTTP/1.1 exchange on a raw socket: the status line and headers, lower-cased. */
  private static List<String> exchange(Socket socket, String path) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    List<String> head = new ArrayList<>();
    int length = 0;
    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
      head.add(line.toLowerCase(Locale.ROOT));
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).strip());
      }
    }
    if (head.isEmpty()) {
      throw new IOException("the connection closed without an answer to " + path);
    }
    in.skip(length);
    return head;
  }
}
