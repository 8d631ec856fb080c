package dev.skiff.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.VersionStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Scenario d: faults. A serving pod deleted under load; a version whose file has the wrong sha256
 * and one whose URI answers 404, named in status within 60 s while the serving version keeps
 * answering (whose status digest is the sha256 of its file); a model file that does not match its
 * declared schema, named ModelLoadFailed within 30 s of its pod's creation; the operator pod
 * deleted mid-rollout five times, after which everything converges with no duplicate or orphaned
 * child. Each test has its own ModelDeployment.
 */
class FaultsE2E extends RealNodeSupport {

  @Test
  void deletingOneOfTwoServingPodsUnderLoad() throws Exception {
    String md = "iris-ha";
    apply(iris(md, version("v1", "iris/v1/model.onnx", null, "replicas: 2"), ""));
    awaitReady(md);
    awaitAnswer(md, "/v2/health/ready");
    await()
        .atMost(Duration.ofMinutes(2))
        .until(() -> pods(md, "v1").stream().filter(FaultsE2E::ready).count() == 2);
    Load load = steadyLoad("pod-delete", serviceUrl(md));
    Thread.sleep(3_000);

    Pod victim = pods(md, "v1").getFirst();
    client.pods().inNamespace(namespace).resource(victim).delete();
    long start = System.nanoTime();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .alias("the deleted pod replaced")
        .until(
            () -> {
              List<Pod> all =
                  client
                      .pods()
                      .inNamespace(namespace)
                      .withLabel(INSTANCE_LABEL, md)
                      .list()
                      .getItems();
              return all.stream()
                      .noneMatch(
                          p -> p.getMetadata().getName().equals(victim.getMetadata().getName()))
                  && all.stream().filter(FaultsE2E::ready).count() == 2;
            });
    Duration replaced = Duration.ofNanos(System.nanoTime() - start);
    Thread.sleep(3_000);
    Load.Result r = load.stop();
    System.out.println("pod delete: " + r.summary() + " " + r.failureExamples());
    Figures.record(
        "d. faults", "serving pod deleted → replaced and gone", ServeE2E.seconds(replaced));
    Figures.record(
        "d. faults",
        "requests while one of 2 pods was deleted",
        r.sent() + " sent, " + r.failed() + " failed " + r.failures());
    assertThat(r.failed()).as("failed requests: %s", r.failureExamples()).isZero();
  }

  @Test
  void wrongChecksumAndMissingFileAreNamedWhileTheServingVersionAnswers() throws Exception {
    String md = "iris-faults";
    // v1 without a sha256: its digest in status is still what the fetcher computed
    apply(
        iris(
            md,
            "    - {name: v1, uri: \"%s\", weight: 100}\n"
                .formatted(store.uri("iris/v1/model.onnx")),
            ""));
    awaitReady(md);
    awaitAnswer(md, "/v2/health/ready");
    String digest =
        awaitStatus(
                md,
                Duration.ofSeconds(30),
                m -> versionStatus(m, "v1").map(VersionStatus::getDigest).isPresent(),
                "v1's digest in status")
            .getStatus()
            .getVersions()
            .getFirst()
            .getDigest();
    assertThat(digest).isEqualTo("sha256:" + store.sha256("iris/v1/model.onnx"));
    Figures.record("d. faults", "status.versions[v1].digest (no sha256 in the spec)", digest);
    Load load = steadyLoad("faults", serviceUrl(md));

    String wrongSha = "0".repeat(64);
    patch(
        md,
        """
        [{"op": "add", "path": "/spec/versions/-", "value":
           {"name": "v2", "uri": "%s", "sha256": "%s", "weight": 0}},
         {"op": "add", "path": "/spec/versions/-", "value":
           {"name": "v3", "uri": "%s", "weight": 0}}]"""
            .formatted(store.uri("iris/v2/model.onnx"), wrongSha, store.uri("iris/none.onnx")));
    long start = System.nanoTime();
    ModelDeployment named =
        awaitStatus(
            md,
            Duration.ofSeconds(60),
            m ->
                reason(m, "v2").filter(r -> r.contains("ChecksumMismatch")).isPresent()
                    && reason(m, "v3").filter(r -> r.contains("NotFound")).isPresent(),
            "v2 ChecksumMismatch and v3 NotFound in status");
    Duration toNamed = Duration.ofNanos(System.nanoTime() - start);
    Thread.sleep(3_000);
    Load.Result r = load.stop();
    System.out.println("faults: " + r.summary() + " " + r.failureExamples());
    Figures.record("d. faults", "wrong sha256 and 404 named in status", ServeE2E.seconds(toNamed));
    Figures.record(
        "d. faults",
        "requests to v1 meanwhile",
        r.sent() + " sent, " + r.failed() + " failed " + r.failures());
    assertThat(condition(named, "Degraded").map(c -> c.getMessage()).orElse(""))
        .as("Degraded condition")
        .contains("v2")
        .contains("v3");
    assertThat(r.failed()).as("failed requests: %s", r.failureExamples()).isZero();
  }

  /**
   * A model file that does not match its declared schema: the model server exits with its reason,
   * and the version's status names it (ModelLoadFailed and the runtime's message) within 30 s of
   * the pod's creation, not when the startup probe gives up minutes later; the message stays
   * through CrashLoopBackOff.
   */
  @Test
  void aModelThatDoesNotMatchItsSchemaIsModelLoadFailedWithTheRuntimesMessage() throws Exception {
    String md = "iris-mismatch";
    String declaredWrong =
        iris(md, version("v1", "iris/v1/model.onnx", null, ""), "")
            .replace("shape: [-1, 4]", "shape: [-1, 5]");
    long start = System.nanoTime();
    apply(declaredWrong);
    ModelDeployment named =
        awaitStatus(
            md,
            Duration.ofSeconds(90),
            m -> reason(m, "v1").filter(r -> r.startsWith("ModelLoadFailed: ")).isPresent(),
            "v1 ModelLoadFailed in status");
    Instant seen = Instant.now();
    Duration fromApply = Duration.ofNanos(System.nanoTime() - start);
    Pod pod = pods(md, "v1").getFirst();
    Duration fromPod =
        Duration.between(Instant.parse(pod.getMetadata().getCreationTimestamp()), seen);
    String expected =
        "model 'iris' version 'v1': input 'input' is declared FP32 [-1, 5] but the model file"
            + " has FP32 [-1, 4]";
    System.out.println("ModelLoadFailed: " + reason(named, "v1").orElseThrow());
    assertThat(versionStatus(named, "v1").map(VersionStatus::getMessage)).contains(expected);
    assertThat(condition(named, "Degraded").map(c -> c.getMessage()).orElse(""))
        .contains("v1: ModelLoadFailed: " + expected);
    Figures.record(
        "d. faults",
        "schema mismatch: pod created → ModelLoadFailed in status",
        ServeE2E.seconds(fromPod) + " (apply → status " + ServeE2E.seconds(fromApply) + ")");
    assertThat(fromPod).isLessThan(Duration.ofSeconds(30));

    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .alias("the model server in CrashLoopBackOff")
        .until(() -> crashLooping(pods(md, "v1").getFirst()));
    Thread.sleep(2_000);
    assertThat(reason(md(md), "v1").orElse("")).startsWith("ModelLoadFailed: " + expected);
    Figures.record(
        "d. faults", "schema mismatch in CrashLoopBackOff: version reason", "ModelLoadFailed");
    // the HPA controller reports every 15 s; its first report reaches the status by itself
    ModelDeployment scaled =
        awaitStatus(
            md,
            Duration.ofSeconds(60),
            m ->
                condition(m, "ScalingReady")
                    .filter(c -> !"Unknown".equals(c.getStatus()))
                    .isPresent(),
            "ScalingReady reported");
    Condition scaling = condition(scaled, "ScalingReady").orElseThrow();
    Figures.record(
        "d. faults",
        "ScalingReady on this node (no metrics-server)",
        scaling.getStatus() + " " + scaling.getReason() + ": " + scaling.getMessage());
  }

  private static boolean crashLooping(Pod pod) {
    return pod.getStatus().getContainerStatuses() != null
        && pod.getStatus().getContainerStatuses().stream()
            .anyMatch(
                cs ->
                    cs.getState() != null
                        && cs.getState().getWaiting() != null
                        && "CrashLoopBackOff".equals(cs.getState().getWaiting().getReason()));
  }

  @Test
  void deletingTheOperatorPodMidRolloutFiveTimesConverges() throws Exception {
    String md = "iris-restart";
    apply(iris(md, version("v1", "iris/v1/model.onnx", 100, ""), ""));
    awaitReady(md);
    List<String> changes =
        List.of(
            // a second version: Deployment, Service, HPA, router, router ConfigMap
            """
            [{"op": "replace", "path": "/spec/versions/0/weight", "value": 90},
             {"op": "add", "path": "/spec/versions/-", "value":
               {"name": "v2", "uri": "%s", "sha256": "%s", "weight": 10}}]"""
                .formatted(store.uri("iris/v2/model.onnx"), store.sha256("iris/v2/model.onnx")),
            // new settings: both versions roll
            "[{\"op\": \"replace\", \"path\": \"/spec/schema/labels\", \"value\": [\"a\", \"b\","
                + " \"c\"]}]",
            """
            [{"op": "replace", "path": "/spec/versions/0/weight", "value": 50},
             {"op": "replace", "path": "/spec/versions/1/weight", "value": 50}]""",
            // v1 goes (drains first), and with it the router
            """
            [{"op": "replace", "path": "/spec/versions/1/weight", "value": 100},
             {"op": "remove", "path": "/spec/versions/0"}]""",
            "[{\"op\": \"replace\", \"path\": \"/spec/schema/labels\", \"value\": [\"setosa\","
                + " \"versicolor\", \"virginica\"]}]");
    for (String change : changes) {
      patch(md, change);
      restartOperator();
    }
    long start = System.nanoTime();
    awaitReady(md);
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .alias("children of " + md + " converged")
        .untilAsserted(() -> assertChildrenAreExactly(md));
    Duration converged = Duration.ofNanos(System.nanoTime() - start);
    Figures.record(
        "d. faults",
        "operator pod deleted mid-rollout 5 times → converged",
        ServeE2E.seconds(converged) + " after the 5th restart, no duplicate or orphan");
    ModelDeployment last = md(md);
    assertThat(last.getStatus().getVersions())
        .extracting(VersionStatus::getName)
        .containsExactly("v2");
  }

  /**
   * Exactly the children one version (v2) needs, with the Service its pods answer feedback through:
   * no router, nothing of v1, nothing twice.
   */
  private void assertChildrenAreExactly(String md) {
    Map<String, List<? extends HasMetadata>> children =
        Map.of(
            "Deployment",
            client
                .apps()
                .deployments()
                .inNamespace(namespace)
                .withLabel(INSTANCE_LABEL, md)
                .list()
                .getItems(),
            "Service",
            client
                .services()
                .inNamespace(namespace)
                .withLabel(INSTANCE_LABEL, md)
                .list()
                .getItems(),
            "ConfigMap",
            client
                .configMaps()
                .inNamespace(namespace)
                .withLabel(INSTANCE_LABEL, md)
                .list()
                .getItems(),
            "HorizontalPodAutoscaler",
            client
                .autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(namespace)
                .withLabel(INSTANCE_LABEL, md)
                .list()
                .getItems());
    assertThat(names(children.get("Deployment"))).containsExactly(md + "-v2");
    assertThat(names(children.get("Service")))
        .containsExactlyInAnyOrder(md, md + "-v2", md + "-peers");
    assertThat(names(children.get("ConfigMap"))).containsExactly(md + "-settings");
    assertThat(names(children.get("HorizontalPodAutoscaler"))).containsExactly(md + "-v2");
    for (List<? extends HasMetadata> list : children.values()) {
      for (HasMetadata child : list) {
        assertThat(child.getMetadata().getOwnerReferences())
            .as("owner of %s", child.getMetadata().getName())
            .singleElement()
            .satisfies(o -> assertThat(o.getName()).isEqualTo(md));
      }
    }
    Deployment v2 = (Deployment) children.get("Deployment").getFirst();
    List<ReplicaSet> active =
        client
            .apps()
            .replicaSets()
            .inNamespace(namespace)
            .withLabel(INSTANCE_LABEL, md)
            .list()
            .getItems()
            .stream()
            .filter(rs -> rs.getSpec().getReplicas() != null && rs.getSpec().getReplicas() > 0)
            .toList();
    assertThat(active).as("ReplicaSets with replicas").hasSize(1);
    assertThat(v2.getStatus().getReadyReplicas()).isEqualTo(1);
    assertThat(pods(md, null)).as("pods").hasSize(1);
  }

  private static Set<String> names(List<? extends HasMetadata> items) {
    return items.stream()
        .map(i -> i.getMetadata().getName())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** Deletes the operator's pod and waits until its replacement is ready. */
  private void restartOperator() {
    var pods =
        client
            .pods()
            .inNamespace(OPERATOR_NAMESPACE)
            .withLabels(
                client
                    .apps()
                    .deployments()
                    .inNamespace(OPERATOR_NAMESPACE)
                    .withName(OPERATOR_DEPLOYMENT)
                    .get()
                    .getSpec()
                    .getSelector()
                    .getMatchLabels());
    Set<String> old = names(pods.list().getItems());
    pods.delete();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .alias("a new operator pod ready")
        .until(
            () -> {
              List<Pod> now = pods.list().getItems();
              return now.stream().noneMatch(p -> old.contains(p.getMetadata().getName()))
                  && now.stream().anyMatch(FaultsE2E::ready);
            });
  }

  private static Optional<String> reason(ModelDeployment md, String version) {
    return versionStatus(md, version)
        .filter(v -> v.getReason() != null)
        .map(v -> v.getReason() + ": " + v.getMessage());
  }

  private static Optional<VersionStatus> versionStatus(ModelDeployment md, String version) {
    return md.getStatus() == null || md.getStatus().getVersions() == null
        ? Optional.empty()
        : md.getStatus().getVersions().stream()
            .filter(v -> version.equals(v.getName()))
            .findFirst();
  }

  static boolean ready(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
