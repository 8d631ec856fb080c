package dev.skiff.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scenarios b and e: two versions at 90/10 behind the router pod, with bearer tokens. Through the
 * stable Service: the measured split of 10,000 requests, pinning with {@code X-Model-Version}, and
 * 401 without a token on the router's path and on each version's own Service. The tests only read
 * the ModelDeployment that {@link #deployTwoVersions()} made, so their order does not matter.
 */
class TrafficE2E extends RealNodeSupport {

  private static final String MD = "iris-split";
  private static final String TOKEN = "e2e-" + UUID.randomUUID();
  private static final int REQUESTS = 10_000;
  private static final int GRPC_CALLS = 2_000;

  private String stable;
  private String body;

  @BeforeAll
  void deployTwoVersions() throws Exception {
    apply(
        """
        apiVersion: v1
        kind: Secret
        metadata: {name: iris-tokens}
        stringData: {tokens: "%s"}
        """
            .formatted(TOKEN));
    apply(
        iris(
            MD,
            version("v1", "iris/v1/model.onnx", 90, "")
                + version("v2", "iris/v2/model.onnx", 10, ""),
            "  auth: {tokenSecretRef: {name: iris-tokens, key: tokens}}"));
    Duration ready = awaitReady(MD);
    Duration split = awaitRouterWeights(MD, Map.of("v1", 90, "v2", 10));
    Figures.record("b. split", "apply → Ready (2 versions)", ServeE2E.seconds(ready));
    Figures.record("b. split", "Ready → router splitting 90/10", ServeE2E.seconds(split));
    stable = serviceUrl(MD);
    body = irisRequest();
  }

  private String bearer() {
    return "Bearer " + TOKEN;
  }

  @Test
  void tenThousandRequestsThroughTheStableServiceSplitNinetyTen() {
    Load.Result r =
        Load.start(
                "split",
                http,
                () -> post(stable + "/v2/models/iris/infer", body, "Authorization", bearer()),
                8,
                REQUESTS,
                Duration.ofMinutes(4),
                0)
            .awaitCompletion();
    System.out.println("split: " + r.summary() + " " + r.failureExamples());
    assertThat(r.sent()).isEqualTo(REQUESTS);
    assertThat(r.failed()).as("failed requests: %s", r.failureExamples()).isZero();
    double errorV1 = Math.abs(r.percent("v1") - 90);
    double errorV2 = Math.abs(r.percent("v2") - 10);
    Figures.record(
        "b. split",
        "10,000 requests at 90/10 through the router",
        String.format(
            "v1 %.2f %%, v2 %.2f %% (error %.2f pp), %.0f req/s, %d failed",
            r.percent("v1"),
            r.percent("v2"),
            Math.max(errorV1, errorV2),
            r.requestsPerSecond(),
            r.failed()));
    assertThat(errorV1).as("v1's share %s", r.byVersion()).isLessThanOrEqualTo(1.0);
    assertThat(errorV2).as("v2's share %s", r.byVersion()).isLessThanOrEqualTo(1.0);
  }

  /**
   * The same split over V2 gRPC: the router's gRPC proxy chooses from the same routing table, so
   * 2,000 calls by tritonclient.grpc through the stable Service's gRPC port split 90/10 too, and
   * {@code x-model-version} metadata pins.
   */
  @Test
  void grpcCallsThroughTheStableServiceSplitNinetyTenAndPin() throws Exception {
    GrpcCalls.Result r = GrpcCalls.infer(grpcAddress(MD), GRPC_CALLS, TOKEN, null);
    System.out.println("grpc split: " + r);
    assertThat(r.failed()).as("failed calls: %s", r.errors()).isZero();
    assertThat(r.answered()).isEqualTo(GRPC_CALLS);
    double error = Math.max(Math.abs(r.percent("v1") - 90), Math.abs(r.percent("v2") - 10));
    Figures.record(
        "b. split",
        "2,000 gRPC calls (tritonclient.grpc) at 90/10 through the router",
        String.format(
            "v1 %.2f %%, v2 %.2f %% (error %.2f pp), %.0f calls/s, %d failed",
            r.percent("v1"), r.percent("v2"), error, GRPC_CALLS / r.seconds(), r.failed()));
    assertThat(error).as("shares %s", r.versions()).isLessThanOrEqualTo(1.0);
    GrpcCalls.Result pinned = GrpcCalls.infer(grpcAddress(MD), 50, TOKEN, "v2");
    assertThat(pinned.versions()).containsExactly(Map.entry("v2", 50));
    GrpcCalls.Result noToken = GrpcCalls.infer(grpcAddress(MD), 1, "wrong", null);
    assertThat(noToken.failed()).isEqualTo(1);
    assertThat(noToken.errors()).singleElement().asString().contains("UNAUTHENTICATED");
  }

  @Test
  void modelVersionHeaderPinsAVersionThroughTheRouter() throws Exception {
    for (String version : new String[] {"v1", "v2"}) {
      for (int i = 0; i < 50; i++) {
        HttpResponse<String> response =
            send(
                post(
                    stable + "/v2/models/iris/infer",
                    body,
                    "Authorization",
                    bearer(),
                    "X-Model-Version",
                    version));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Model-Version")).contains(version);
        assertThat(response.body()).contains("\"model_version\":\"" + version + "\"");
      }
    }
    HttpResponse<String> unknown =
        send(
            post(
                stable + "/v2/models/iris/infer",
                body,
                "Authorization",
                bearer(),
                "X-Model-Version",
                "v9"));
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("v9");
    Figures.record("b. split", "X-Model-Version pins", "100 of 100 pinned; unknown version → 400");
  }

  @Test
  void tokensAreRequiredThroughTheRouterAndOnEachVersionService() throws Exception {
    for (String url : new String[] {stable, serviceUrl(MD + "-v1"), serviceUrl(MD + "-v2")}) {
      String infer = url + "/v2/models/iris/infer";
      assertThat(send(post(infer, body)).statusCode()).as("no token: %s", url).isEqualTo(401);
      HttpResponse<String> wrong = send(post(infer, body, "Authorization", "Bearer wrong"));
      assertThat(wrong.statusCode()).as("wrong token: %s", url).isEqualTo(401);
      assertThat(wrong.headers().firstValue("WWW-Authenticate")).isPresent();
      assertThat(send(post(infer, body, "Authorization", bearer())).statusCode())
          .as("the token: %s", url)
          .isEqualTo(200);
    }
    Figures.record(
        "e. auth",
        "stable Service (router), v1 and v2 Services",
        "no token 401, wrong token 401, token 200");
  }
}
