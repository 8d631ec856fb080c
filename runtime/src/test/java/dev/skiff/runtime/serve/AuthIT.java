package dev.skiff.runtime.serve;

import static dev.skiff.runtime.serve.TestHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bearer-token auth on a real server: inference and metadata closed, probes and metrics open. */
class AuthIT {
  static ModelServer server;
  static TestHttp http;
  static final String BODY =
      "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,2,3,4]}]}";

  @BeforeAll
  static void start() throws InterruptedException {
    server =
        ModelServer.start(
            ServeOptions.builder(Path.of("../examples/models"))
                .port(0)
                .authTokens(List.of("first-token", "second-token"))
                .build());
    server.awaitModelsLoaded(Duration.ofSeconds(60));
    http = new TestHttp(server.port());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void inferenceNeedsAValidBearerToken() {
    HttpResponse<String> none = http.post("/v2/models/iris/infer", BODY);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"skiff\"");
    assertThat(json(none).get("error").asText())
        .contains("requires 'Authorization: Bearer <token>'");
    HttpResponse<String> wrong =
        http.post("/v2/models/iris/infer", BODY, "Authorization", "Bearer nope");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).doesNotContain("first-token");
    assertThat(
            http.post("/v2/models/iris/infer", BODY, "Authorization", "Basic Zm9vOmJhcg==")
                .statusCode())
        .isEqualTo(401);
    assertThat(
            http.post("/v2/models/iris/infer", BODY, "Authorization", "Bearer first-token")
                .statusCode())
        .isEqualTo(200);
    assertThat(
            http.post(
                    "/v1/models/iris:predict",
                    "{\"instances\":[[1,2,3,4]]}",
                    "Authorization",
                    "bearer second-token")
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void metadataIsClosedButHealthMetricsAndDocsAreOpen() {
    assertThat(http.get("/v2/models/iris").statusCode()).isEqualTo(401);
    assertThat(http.get("/v2").statusCode()).isEqualTo(401);
    assertThat(http.get("/v1/models").statusCode()).isEqualTo(401);
    assertThat(http.get("/v2/models/iris", "Authorization", "Bearer first-token").statusCode())
        .isEqualTo(200);
    assertThat(http.get("/v2/health/ready").statusCode()).isEqualTo(200);
    assertThat(http.get("/health/live").statusCode()).isEqualTo(200);
    assertThat(http.get("/metrics").statusCode()).isEqualTo(200);
    assertThat(http.get("/docs").statusCode()).isEqualTo(200);
    assertThat(http.get("/redoc").statusCode()).isEqualTo(200);
    assertThat(http.get("/").statusCode()).isEqualTo(200);
    assertThat(json(http.get("/openapi")).at("/components/securitySchemes/bearer/scheme").asText())
        .isEqualTo("bearer");
    assertThat(http.get("/metrics").body())
        .containsPattern(
            "skiff_rejected_requests_total\\{model=\"iris\",reason=\"unauthorized\",version=\"\"} [1-9]");
  }

  @Test
  void refusedRequestsForMadeUpModelsShareOneMetricLabel() {
    for (int i = 0; i < 20; i++) {
      assertThat(http.post("/v2/models/made-up-" + i + "/infer", BODY).statusCode()).isEqualTo(401);
      assertThat(http.post("/v1/models/made-up-v1-" + i + ":predict", "{}").statusCode())
          .isEqualTo(401);
    }
    String metrics = http.get("/metrics").body();
    assertThat(metrics).doesNotContain("made-up");
    assertThat(metrics)
        .containsPattern(
            "skiff_rejected_requests_total\\{model=\"unknown\",reason=\"unauthorized\",version=\"\"}"
                + " [1-9][0-9]");
  }
}
