package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.model.ModelVersion;
import dev.skiff.runtime.web.ApiException;
import dev.skiff.runtime.web.ErrorMapping;
import io.helidon.http.Status;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The request-accounting filter in Helidon's in-process routing (no socket, no models): endpoints
 * that mark a version and then answer or fail as inference endpoints do.
 */
@RoutingTest
class RequestAccountingTest {
  private static final RuntimeMetrics METRICS = new RuntimeMetrics();

  private final DirectClient client;

  RequestAccountingTest(DirectClient client) {
    this.client = client;
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    routing.addFilter(new RequestAccounting(METRICS));
    routing
        .post(
            "/ok",
            (req, res) -> {
              counted(req, "ok");
              res.send("fine");
            })
        .post(
            "/bad",
            (req, res) -> {
              counted(req, "bad");
              throw ApiException.badRequest("input 'x' is missing");
            })
        .post(
            "/busy",
            (req, res) -> {
              counted(req, "busy");
              throw ApiException.overloaded("at capacity", 1);
            })
        .post(
            "/broken",
            (req, res) -> {
              counted(req, "broken");
              throw ApiException.internal("the model failed to run");
            })
        .post(
            "/unexpected",
            (req, res) -> {
              counted(req, "unexpected");
              throw new IllegalStateException("a bug");
            })
        .get("/uncounted", (req, res) -> res.send("not an inference"));
    ErrorMapping.register(routing);
  }

  /** What an inference endpoint does once it has resolved the version. */
  private static void counted(ServerRequest req, String version) {
    RequestAccounting.counts(req, new ModelVersion("m", version, Path.of(version)));
  }

  @Test
  void everyAnswerIsCountedByItsCodeAndOnlyRefusalsAsRejected() throws IOException {
    assertThat(status("/ok")).isEqualTo(200);
    assertThat(status("/bad")).isEqualTo(400);
    assertThat(status("/busy")).isEqualTo(503);
    assertThat(status("/broken")).isEqualTo(500);
    assertThat(status("/unexpected")).isEqualTo(500);
    try (Http1ClientResponse res = client.get("/uncounted").request()) {
      assertThat(res.status()).isEqualTo(Status.OK_200);
    }

    String metrics = metrics();
    assertThat(metrics)
        .contains("skiff_requests_total{code=\"200\",model=\"m\",version=\"ok\"} 1.0")
        .contains("skiff_requests_total{code=\"400\",model=\"m\",version=\"bad\"} 1.0")
        .contains("skiff_requests_total{code=\"503\",model=\"m\",version=\"busy\"} 1.0")
        .contains("skiff_requests_total{code=\"500\",model=\"m\",version=\"broken\"} 1.0")
        .contains("skiff_requests_total{code=\"500\",model=\"m\",version=\"unexpected\"} 1.0")
        .contains(
            "skiff_rejected_requests_total{model=\"m\",reason=\"invalid_request\",version=\"bad\"}"
                + " 1.0")
        .contains(
            "skiff_rejected_requests_total{model=\"m\",reason=\"overloaded\",version=\"busy\"} 1.0")
        .contains("skiff_request_duration_seconds_count{model=\"m\",version=\"ok\"} 1")
        .doesNotContain("version=\"uncounted\"");
    assertThat(metrics.lines().filter(l -> l.startsWith("skiff_rejected_requests_total{")))
        .as("a 500 is a failure, not a refused request")
        .noneMatch(l -> l.contains("version=\"broken\"") || l.contains("version=\"unexpected\""));
  }

  private int status(String path) {
    try (Http1ClientResponse res = client.post(path).submit("{}")) {
      return res.status().code();
    }
  }

  private static String metrics() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    METRICS.write(out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
