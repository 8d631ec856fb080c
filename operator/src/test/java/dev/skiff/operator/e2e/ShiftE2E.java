package dev.skiff.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Scenario c: changes under a bounded load through the stable Service must fail no request. Weights
 * 90/10 → 50/50 → 0/100, then v1 removed (it drains, the router goes, the Service moves to v2's
 * pods); and a settings change that rolls a version's pods. Each test has its own ModelDeployment.
 */
class ShiftE2E extends RealNodeSupport {

  @Test
  void shiftingWeightsAndRemovingAVersionUnderLoadFailsNoRequest() throws Exception {
    String md = "iris-shift";
    apply(
        iris(
            md,
            version("v1", "iris/v1/model.onnx", 90, "")
                + version("v2", "iris/v2/model.onnx", 10, ""),
            ""));
    awaitReady(md);
    awaitRouterWeights(md, Map.of("v1", 90, "v2", 10));
    Load load = steadyLoad("shift", serviceUrl(md));
    Thread.sleep(3_000);

    patch(
        md,
        """
        [{"op": "replace", "path": "/spec/versions/0/weight", "value": 50},
         {"op": "replace", "path": "/spec/versions/1/weight", "value": 50}]""");
    Duration fifty = awaitRouterWeights(md, Map.of("v1", 50, "v2", 50));
    System.out.printf("shift: 50/50 in effect at %.1f s%n", load.elapsedSeconds());
    patch(
        md,
        """
        [{"op": "replace", "path": "/spec/versions/0/weight", "value": 0},
         {"op": "replace", "path": "/spec/versions/1/weight", "value": 100}]""");
    Duration hundred = awaitRouterWeights(md, Map.of("v1", 0, "v2", 100));
    System.out.printf("shift: 0/100 in effect at %.1f s%n", load.elapsedSeconds());
    long beforeRemoval = load.answered();
    System.out.printf("shift: v1 removed at %.1f s%n", load.elapsedSeconds());
    patch(md, "[{\"op\": \"remove\", \"path\": \"/spec/versions/0\"}]");
    long removed = System.nanoTime();
    // v1 drains (weight 0, drainSeconds 5), then its children go; with one version left the
    // router goes too and the stable Service selects v2's pods again. Wait until the pods of v1
    // and of the router have finished terminating (preStop sleep, drain), not just begun.
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .alias("the pods of v1 and of the router gone")
        .until(
            () ->
                client.apps().deployments().inNamespace(namespace).withName(md + "-v1").get()
                        == null
                    && client
                            .apps()
                            .deployments()
                            .inNamespace(namespace)
                            .withName(md + "-router")
                            .get()
                        == null
                    && client
                        .pods()
                        .inNamespace(namespace)
                        .withLabel(INSTANCE_LABEL, md)
                        .list()
                        .getItems()
                        .stream()
                        .allMatch(
                            p -> "v2".equals(p.getMetadata().getLabels().get(VERSION_LABEL))));
    Duration removal = Duration.ofNanos(System.nanoTime() - removed);
    System.out.printf("shift: v1 and the router gone at %.1f s%n", load.elapsedSeconds());
    // Keep the load on past the moment the last router pod is gone.
    Thread.sleep(5_000);
    Load.Result r = load.stop();
    System.out.println("shift: " + r.summary() + " " + r.failureExamples());

    Figures.record("c. shift", "90/10 → 50/50 in effect on the router", ServeE2E.seconds(fifty));
    Figures.record("c. shift", "50/50 → 0/100 in effect on the router", ServeE2E.seconds(hundred));
    Figures.record("c. shift", "v1 removed → v1 and router gone", ServeE2E.seconds(removal));
    Figures.record(
        "c. shift",
        "requests during 90/10 → 50/50 → 0/100 → v1 removed",
        r.sent() + " sent, " + r.failed() + " failed " + r.failures());
    assertThat(load.answered()).as("requests after v1's removal").isGreaterThan(beforeRemoval);
    assertThat(r.failed()).as("failed requests: %s", r.failureExamples()).isZero();
    assertThat(r.byVersion()).containsKeys("v1", "v2");
  }

  @Test
  void rollingASettingsChangeUnderLoadFailsNoRequest() throws Exception {
    String md = "iris-roll";
    apply(iris(md, version("v1", "iris/v1/model.onnx", null, ""), ""));
    awaitReady(md);
    awaitAnswer(md, "/v2/health/ready");
    Set<String> before = names(pods(md, "v1"));
    Load load = steadyLoad("roll", serviceUrl(md));
    Thread.sleep(3_000);

    // New class names: a new model.yaml, whose hash is in the pod template, so the pods roll.
    patch(
        md,
        "[{\"op\": \"replace\", \"path\": \"/spec/schema/labels\","
            + " \"value\": [\"Iris setosa\", \"Iris versicolor\", \"Iris virginica\"]}]");
    long start = System.nanoTime();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .alias("the pods of " + md + " replaced")
        .until(
            () -> {
              List<Pod> now =
                  client
                      .pods()
                      .inNamespace(namespace)
                      .withLabel(INSTANCE_LABEL, md)
                      .list()
                      .getItems();
              return !now.isEmpty()
                  && now.stream().noneMatch(p -> before.contains(p.getMetadata().getName()));
            });
    Duration rolled = Duration.ofNanos(System.nanoTime() - start);
    awaitReady(md);
    Thread.sleep(3_000);
    Load.Result r = load.stop();
    System.out.println("roll: " + r.summary() + " " + r.failureExamples());
    Figures.record("c. rollout", "settings change → old pods gone", ServeE2E.seconds(rolled));
    Figures.record(
        "c. rollout",
        "requests during the rollout",
        r.sent() + " sent, " + r.failed() + " failed " + r.failures());
    assertThat(r.failed()).as("failed requests: %s", r.failureExamples()).isZero();
  }

  static Set<String> names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
  }
}
