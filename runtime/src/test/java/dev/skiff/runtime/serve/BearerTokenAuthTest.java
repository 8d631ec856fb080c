package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.web.ErrorMapping;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bearer-token auth in Helidon's in-process routing: which paths it guards and how it refuses. */
@RoutingTest
class BearerTokenAuthTest {
  private static final RuntimeMetrics METRICS = new RuntimeMetrics();

  private final DirectClient client;

  BearerTokenAuthTest(DirectClient client) {
    this.client = client;
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    routing.addFilter(new BearerTokenAuth(List.of("first", "second"), "iris"::equals, METRICS));
    routing
        .post("/v2/models/iris/infer", (req, res) -> res.send("inferred"))
        .get("/v2/health/ready", (req, res) -> res.send("ready"))
        .get("/metrics", (req, res) -> res.send("metrics"));
    ErrorMapping.register(routing);
  }

  @Test
  void inferenceNeedsAKnownTokenAndProbesDoNot() throws IOException {
    assertThat(infer(null)).isEqualTo(Status.UNAUTHORIZED_401);
    assertThat(infer("Basic Zmlyc3Q=")).isEqualTo(Status.UNAUTHORIZED_401);
    assertThat(infer("Bearer third")).isEqualTo(Status.UNAUTHORIZED_401);
    assertThat(infer("Bearer second")).isEqualTo(Status.OK_200);
    assertThat(infer("bearer first")).as("the scheme is case-insensitive").isEqualTo(Status.OK_200);
    for (String open : List.of("/v2/health/ready", "/metrics")) {
      try (Http1ClientResponse res = client.get(open).request()) {
        assertThat(res.status()).as(open).isEqualTo(Status.OK_200);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    METRICS.write(out);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains(
            "skiff_rejected_requests_total{model=\"iris\",reason=\"unauthorized\",version=\"\"}"
                + " 3.0");
  }

  @Test
  void refusalsForNamesTheServerDoesNotServeShareOneLabel() throws IOException {
    for (int i = 0; i < 50; i++) {
      try (Http1ClientResponse res =
          client.post("/v2/models/made-up-" + i + "/infer").submit("{}")) {
        assertThat(res.status()).isEqualTo(Status.UNAUTHORIZED_401);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    METRICS.write(out);
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("made-up-");
    assertThat(text)
        .contains(
            "skiff_rejected_requests_total{model=\"unknown\",reason=\"unauthorized\",version=\"\"}"
                + " 50.0");
  }

  private Status infer(String authorization) {
    var request = client.post("/v2/models/iris/infer");
    if (authorization != null) {
      request.header(HeaderNames.AUTHORIZATION, authorization);
    }
    try (Http1ClientResponse res = request.submit("{}")) {
      return res.status();
    }
  }
}
