package dev.skiff.runtime.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The health checker against a real HTTP server whose readiness answer can be delayed. */
class HealthCheckerIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private HttpServer backend;
  private final AtomicLong delayMillis = new AtomicLong();
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void startBackend() throws IOException {
    backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    backend.createContext(
        "/health/ready",
        exchange -> {
          try {
            Thread.sleep(delayMillis.get());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    backend.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    backend.start();
  }

  @AfterEach
  void stop() {
    backend.stop(0);
    client.close();
  }

  private static RouterConfig config(URI url) {
    return new RouterConfig(
        "iris", List.of(new RouterConfig.Version("v1", url, 100)), Optional.empty());
  }

  private HealthChecker checker(RouterConfig config) {
    return new HealthChecker(client, () -> config, () -> {}, Duration.ofSeconds(1), TIMEOUT);
  }

  @Test
  void aReadyVersionSurvivesOneSlowAnswerButNotTwoInARow() {
    RouterConfig config = config(URI.create("http://127.0.0.1:" + backend.getAddress().getPort()));
    RouterConfig.Version v1 = config.versions().get(0);
    HealthChecker checker = checker(config);

    checker.checkAll();
    assertThat(checker.isReady(v1)).isTrue();

    delayMillis.set(TIMEOUT.toMillis() * 3);
    checker.checkAll();
    assertThat(checker.isReady(v1)).as("after one timed-out check").isTrue();

    checker.checkAll();
    assertThat(checker.isReady(v1)).as("after two timed-out checks in a row").isFalse();
    assertThat(checker.state(v1).detail()).contains("did not answer within 1000 ms");

    delayMillis.set(0);
    checker.checkAll();
    assertThat(checker.isReady(v1)).isTrue();

    // the count starts again: one slow answer after a good one is forgiven again
    delayMillis.set(TIMEOUT.toMillis() * 3);
    checker.checkAll();
    assertThat(checker.isReady(v1)).isTrue();
  }

  @Test
  void aSlowFirstAnswerDoesNotMakeANewVersionReady() {
    delayMillis.set(TIMEOUT.toMillis() * 3);
    RouterConfig config = config(URI.create("http://127.0.0.1:" + backend.getAddress().getPort()));
    HealthChecker checker = checker(config);

    checker.checkAll();

    assertThat(checker.isReady(config.versions().get(0))).isFalse();
  }

  @Test
  void aRefusedConnectionTakesAReadyVersionOutAtOnce() throws IOException {
    int port = backend.getAddress().getPort();
    RouterConfig config = config(URI.create("http://127.0.0.1:" + port));
    RouterConfig.Version v1 = config.versions().get(0);
    HealthChecker checker = checker(config);
    checker.checkAll();
    assertThat(checker.isReady(v1)).isTrue();

    backend.stop(0);
    checker.checkAll();

    assertThat(checker.isReady(v1)).isFalse();
    assertThat(checker.state(v1).detail()).startsWith("cannot connect");
  }
}
