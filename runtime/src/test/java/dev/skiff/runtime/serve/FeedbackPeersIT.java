package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.runtime.feedback.FeedbackPeers;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feedback across servers: three real servers of the iris model on their own ports, each told the
 * other two as {@code --feedback-peers}, with bearer tokens. A prediction made on one accepts
 * feedback sent to another, is counted once by the server that made it, and is refused (404) by all
 * once claimed; a peer that cannot be reached turns an unknown id into a 503 to retry rather than a
 * 404 that would lose the feedback.
 */
class FeedbackPeersIT {
  private static final String TOKEN = "peer-test-token";
  private static final String BODY =
      "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],"
          + "\"data\":[5.1,3.5,1.4,0.2]}]}";

  @TempDir static Path repository;
  static final List<TestServer> servers = new ArrayList<>();
  static int deadPort;

  @BeforeAll
  static void startThreeServers() throws IOException {
    Path iris = Path.of("../examples/models/iris");
    Files.createDirectories(repository.resolve("iris/v1"));
    Files.copy(iris.resolve("model.yaml"), repository.resolve("iris/model.yaml"));
    Files.copy(iris.resolve("v1/model.onnx"), repository.resolve("iris/v1/model.onnx"));
    int[] ports = freePorts(4);
    deadPort = ports[3]; // nothing listens here
    List<String> peers =
        IntStream.of(ports[0], ports[1], ports[2]).mapToObj(p -> "127.0.0.1:" + p).toList();
    for (int i = 0; i < 3; i++) {
      servers.add(
          TestServer.start(
              ServeOptions.builder(repository)
                  .port(ports[i])
                  .authTokens(List.of(TOKEN))
                  .feedbackPeers(peers) // each names itself too: it must not ask itself
                  .build()));
    }
  }

  @AfterAll
  static void stop() {
    servers.forEach(TestServer::close);
  }

  private static int[] freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        sockets.add(new ServerSocket(0));
      }
      return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  private static HttpResponse<String> predict(TestServer server, String id) {
    HttpResponse<String> r =
        server
            .http()
            .post(
                "/v2/models/iris/infer",
                BODY,
                "Authorization",
                "Bearer " + TOKEN,
                "X-Request-Id",
                id);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r;
  }

  private static HttpResponse<String> feedback(TestServer server, String json, String... headers) {
    List<String> all = new ArrayList<>(List.of("Authorization", "Bearer " + TOKEN));
    all.addAll(List.of(headers));
    return server.http().post("/v1/models/iris/feedback", json, all.toArray(String[]::new));
  }

  private static double feedbackCount(TestServer server, String outcome) {
    return metric(
        server, "skiff_feedback_total{model=\"iris\",outcome=\"" + outcome + "\",version=\"v1\"}");
  }

  private static double forwardedCount(TestServer server, String outcome) {
    return metric(
        server, "skiff_feedback_forwarded_total{model=\"iris\",outcome=\"" + outcome + "\"}");
  }

  private static double metric(TestServer server, String series) {
    return server
        .http()
        .get("/metrics")
        .body()
        .lines()
        .filter(l -> l.startsWith(series))
        .mapToDouble(l -> Double.parseDouble(l.substring(series.length()).strip()))
        .sum();
  }

  @Test
  void feedbackSentToAnyServerIsRecordedOnceByTheServerThatPredicted() {
    double[] correctBefore =
        servers.stream().mapToDouble(s -> feedbackCount(s, "correct")).toArray();
    double[] forwardedBefore =
        servers.stream().mapToDouble(s -> forwardedCount(s, "recorded")).toArray();
    for (int predictor = 0; predictor < 3; predictor++) {
      for (int receiver = 0; receiver < 3; receiver++) {
        String id = "peer-" + predictor + "-" + receiver;
        predict(servers.get(predictor), id);
        HttpResponse<String> r =
            feedback(servers.get(receiver), "{\"id\":\"" + id + "\",\"label\":\"setosa\"}");
        assertThat(r.statusCode()).as("%s: %s", id, r.body()).isEqualTo(200);
        JsonNode record = TestHttp.json(r);
        assertThat(record.get("id").asText()).isEqualTo(id);
        assertThat(record.get("predicted").asText()).isEqualTo("setosa");
        assertThat(record.get("correct").asBoolean()).isTrue();
      }
    }
    // each server predicted three times, so it counts three, wherever the feedback was sent
    for (int i = 0; i < 3; i++) {
      assertThat(feedbackCount(servers.get(i), "correct") - correctBefore[i])
          .as("server %d", i)
          .isEqualTo(3.0);
      // and forwarded the two of its three that another server had predicted
      assertThat(forwardedCount(servers.get(i), "recorded") - forwardedBefore[i])
          .as("server %d forwarded", i)
          .isEqualTo(2.0);
    }
  }

  @Test
  void claimedOrUnknownIdsAre404NamingThePeersAsked() {
    predict(servers.get(0), "peer-once");
    assertThat(feedback(servers.get(1), "{\"id\":\"peer-once\",\"correct\":true}").statusCode())
        .isEqualTo(200);
    for (TestServer server : servers) {
      HttpResponse<String> again = feedback(server, "{\"id\":\"peer-once\",\"correct\":true}");
      assertThat(again.statusCode()).as(again.body()).isEqualTo(404);
      assertThat(TestHttp.json(again).get("error").asText())
          .contains("unknown to this server or its 2 peer servers")
          .contains("already has feedback");
    }
  }

  @Test
  void aForwardedFeedbackIsMatchedLocallyOnly() {
    predict(servers.get(0), "peer-forwarded");
    HttpResponse<String> forwarded =
        feedback(
            servers.get(1),
            "{\"id\":\"peer-forwarded\",\"correct\":false}",
            FeedbackPeers.FORWARDED_HEADER,
            "true");
    assertThat(forwarded.statusCode()).as(forwarded.body()).isEqualTo(404);
    assertThat(TestHttp.json(forwarded).get("error").asText()).contains("unknown to this server,");
    assertThat(
            feedback(servers.get(0), "{\"id\":\"peer-forwarded\",\"correct\":false}").statusCode())
        .isEqualTo(200);
  }

  @Test
  void aPeerThatCannotBeAskedMakesAnUnknownIdA503ToRetry() {
    String peers =
        servers.stream().map(s -> "127.0.0.1:" + s.port()).collect(Collectors.joining(","));
    try (TestServer withDeadPeer =
        TestServer.start(
            ServeOptions.builder(repository)
                .port(0)
                .authTokens(List.of(TOKEN))
                .feedbackPeers(List.of((peers + ",127.0.0.1:" + deadPort).split(",")))
                .build())) {
      predict(servers.get(2), "peer-found-anyway");
      HttpResponse<String> found =
          feedback(withDeadPeer, "{\"id\":\"peer-found-anyway\",\"correct\":true}");
      assertThat(found.statusCode()).as(found.body()).isEqualTo(200);

      HttpResponse<String> unknown =
          feedback(withDeadPeer, "{\"id\":\"peer-nowhere\",\"correct\":true}");
      assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(503);
      assertThat(unknown.headers().firstValue("Retry-After")).contains("1");
      assertThat(TestHttp.json(unknown).get("error").asText())
          .contains("1 of its 4 peer servers could not be asked (127.0.0.1:" + deadPort + ")")
          .contains("the feedback was not recorded");
    }
  }

  @Test
  void aPeerNameThatDoesNotResolveIsA503NotA404() {
    try (TestServer lost =
        TestServer.start(
            ServeOptions.builder(repository)
                .port(0)
                .authTokens(List.of(TOKEN))
                .feedbackPeers(List.of("no-such-peer.invalid:8080"))
                .build())) {
      HttpResponse<String> r = feedback(lost, "{\"id\":\"peer-lost\",\"correct\":true}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
      assertThat(TestHttp.json(r).get("error").asText())
          .contains("no-such-peer.invalid:8080 (name not resolved)");
    }
  }

  @Test
  void peersGetTheClientsTokenSoAWrongOneIsRefusedBeforeAnyoneIsAsked() {
    predict(servers.get(0), "peer-token");
    HttpResponse<String> r =
        servers
            .get(1)
            .http()
            .post(
                "/v1/models/iris/feedback",
                "{\"id\":\"peer-token\",\"correct\":true}",
                "Authorization",
                "Bearer wrong");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(feedback(servers.get(1), "{\"id\":\"peer-token\",\"correct\":true}").statusCode())
        .isEqualTo(200);
  }
}
