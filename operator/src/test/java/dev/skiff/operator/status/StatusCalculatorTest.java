package dev.skiff.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelDeploymentStatus;
import dev.skiff.api.v1alpha1.VersionStatus;
import dev.skiff.operator.Fixtures;
import dev.skiff.operator.spec.ResourceNames;
import dev.skiff.operator.traffic.TrafficPlan;
import dev.skiff.operator.traffic.TrafficPlanner;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class StatusCalculatorTest {

  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final Instant T1 = Instant.parse("2026-11-25T10:05:00Z");
  private static final String TWO_VERSIONS =
      """
      apiVersion: skiff.dev/v1alpha1
      kind: ModelDeployment
      metadata: {name: iris}
      spec:
        versions:
          - {name: v1, uri: "https://x/1.onnx", weight: 90}
          - {name: v2, uri: "https://x/2.onnx", weight: 10}
      """;

  private static Deployment deployment(String version, int replicas, int ready) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("fashion-" + version)
        .withGeneration(2L)
        .addToLabels(ResourceNames.LABEL_VERSION, version)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(2L)
        .withReplicas(replicas)
        .withUpdatedReplicas(replicas)
        .withReadyReplicas(ready)
        .withAvailableReplicas(ready)
        .endStatus()
        .build();
  }

  private static Pod pod(String version) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("fashion-" + version + "-abc")
        .addToLabels(ResourceNames.LABEL_VERSION, version)
        .endMetadata()
        .withNewStatus()
        .withPhase("Pending")
        .endStatus()
        .build();
  }

  /** Status with the traffic plan the deployments' readiness gives (router ready). */
  private static ModelDeploymentStatus compute(
      ModelDeployment md, Map<String, Deployment> deployments, List<Pod> pods, Instant now) {
    Map<String, Integer> ready = new LinkedHashMap<>();
    deployments.forEach((v, d) -> ready.put(v, d.getStatus().getReadyReplicas()));
    TrafficPlan plan =
        TrafficPlanner.plan(md, new TrafficPlanner.Observed(ready, true, false), now);
    return StatusCalculator.compute(md, deployments, pods, List.of(), plan, now);
  }

  private static Condition condition(ModelDeploymentStatus s, String type) {
    return s.getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void allVersionsReadyMeansReady() {
    ModelDeployment md = Fixtures.example("fashion-canary.yaml");
    ModelDeploymentStatus s =
        compute(
            md, Map.of("v1", deployment("v1", 2, 2), "v2", deployment("v2", 1, 1)), List.of(), T0);

    assertThat(s.getObservedGeneration()).isEqualTo(3L);
    assertThat(s.getUrl()).isEqualTo("http://fashion.ns1.svc:8080");
    assertThat(s.getModel()).isEqualTo("digits-tabular");
    assertThat(s.getTraffic()).isEqualTo("v1=90,v2=10");
    assertThat(s.getVersionNames()).isEqualTo("v1,v2");
    assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Ready").getReason()).isEqualTo("AllVersionsReady");
    assertThat(condition(s, "Ready").getObservedGeneration()).isEqualTo(3L);
    assertThat(condition(s, "Progressing").getStatus()).isEqualTo("False");
    assertThat(condition(s, "Degraded").getStatus()).isEqualTo("False");
    assertThat(s.getVersions())
        .extracting(
            VersionStatus::getName,
            VersionStatus::getReadyReplicas,
            VersionStatus::getDeclaredWeight)
        .containsExactly(Tuple.tuple("v1", 2, 90), Tuple.tuple("v2", 1, 10));
  }

  @Test
  void fetchFailureIsTheVersionReasonAndDegradesOnlyThatVersion() {
    ModelDeployment md = Fixtures.example("fashion-canary.yaml");
    Pod failing =
        new PodBuilder(pod("v2"))
            .editStatus()
            .addNewInitContainerStatus()
            .withName(ResourceNames.FETCH_CONTAINER)
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .endWaiting()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withExitCode(3)
            .withReason("Error")
            .withMessage("NotFound: s3://models/digits-xgboost/v1/model.onnx\n")
            .endTerminated()
            .endLastState()
            .endInitContainerStatus()
            .endStatus()
            .build();
    ModelDeploymentStatus s =
        compute(
            md,
            Map.of("v1", deployment("v1", 2, 2), "v2", deployment("v2", 1, 0)),
            List.of(failing),
            T0);

    VersionStatus v1 = s.getVersions().get(0);
    VersionStatus v2 = s.getVersions().get(1);
    assertThat(v1.getReady()).isTrue();
    assertThat(v1.getReason()).isNull();
    assertThat(v2.getReady()).isFalse();
    assertThat(v2.getReason()).isEqualTo("ModelFetchFailed");
    assertThat(v2.getMessage()).isEqualTo("NotFound: s3://models/digits-xgboost/v1/model.onnx");
    assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(s, "Ready").getMessage()).contains("v2: ModelFetchFailed: NotFound");
    assertThat(condition(s, "Degraded").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Degraded").getReason()).isEqualTo("VersionFailed");
  }

  @Test
  void aReadyVersionReportsItsDigestAndSaysWhenItsPodsDisagree() {
    ModelDeployment md = Fixtures.example("iris.yaml");
    Pod first =
        ServedDigestsTest.pod("iris-v1-a", "2026-11-25T09:00:00Z", true, ServedDigestsTest.A);
    VersionStatus one =
        compute(md, Map.of("v1", deployment("v1", 1, 1)), List.of(first), T0)
            .getVersions()
            .getFirst();
    assertThat(one.getReady()).isTrue();
    assertThat(one.getDigest()).isEqualTo("sha256:" + ServedDigestsTest.A);
    assertThat(one.getReason()).isNull();

    Pod second =
        ServedDigestsTest.pod("iris-v1-b", "2026-11-25T09:30:00Z", true, ServedDigestsTest.B);
    VersionStatus two =
        compute(md, Map.of("v1", deployment("v1", 2, 2)), List.of(first, second), T0)
            .getVersions()
            .getFirst();
    assertThat(two.getReady()).isTrue();
    assertThat(two.getDigest()).isEqualTo("sha256:" + ServedDigestsTest.B);
    assertThat(two.getReason()).isEqualTo("MixedDigests");
    assertThat(two.getMessage()).contains("(newest, 1 pod)");
  }

  @Test
  void unschedulablePodIsAFailure() {
    ModelDeployment md = Fixtures.example("iris.yaml");
    Pod pending =
        new PodBuilder(pod("v1"))
            .editStatus()
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("False")
            .withReason("Unschedulable")
            .withMessage("0/3 nodes are available: 3 node(s) didn't match node selector.")
            .endCondition()
            .endStatus()
            .build();
    ModelDeploymentStatus s =
        compute(md, Map.of("v1", deployment("v1", 1, 0)), List.of(pending), T0);
    assertThat(s.getVersions().getFirst().getReason()).isEqualTo("Unschedulable");
    assertThat(condition(s, "Degraded").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Progressing").getReason()).isEqualTo("RolloutStalled");
  }

  @Test
  void rolloutInProgressIsProgressingNotDegraded() {
    ModelDeployment md = Fixtures.example("iris.yaml");
    ModelDeploymentStatus s = compute(md, Map.of("v1", deployment("v1", 2, 1)), List.of(), T0);
    assertThat(s.getVersions().getFirst().getReason()).isEqualTo("RollingOut");
    assertThat(s.getVersions().getFirst().getMessage()).startsWith("1/2 replicas ready");
    assertThat(condition(s, "Progressing").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Degraded").getStatus()).isEqualTo("False");

    ModelDeploymentStatus none = compute(md, Map.of(), List.of(), T0);
    assertThat(none.getVersions().getFirst().getReason()).isEqualTo("Creating");
    assertThat(none.getVersions().getFirst().getDesiredReplicas()).isEqualTo(1);
  }

  @Test
  void lastTransitionTimeKeptWhileStatusUnchanged() {
    ModelDeployment md = Fixtures.example("iris.yaml");
    Map<String, Deployment> ready = Map.of("v1", deployment("v1", 1, 1));
    ModelDeploymentStatus first = compute(md, ready, List.of(), T0);
    md.setStatus(first);

    ModelDeploymentStatus again = compute(md, ready, List.of(), T1);
    assertThat(condition(again, "Ready").getLastTransitionTime()).isEqualTo("2026-11-25T10:00:00Z");
    assertThat(StatusEvents.transitions(first, again)).isEmpty();

    ModelDeploymentStatus notReady =
        compute(md, Map.of("v1", deployment("v1", 1, 0)), List.of(), T1);
    assertThat(condition(notReady, "Ready").getLastTransitionTime())
        .isEqualTo("2026-11-25T10:05:00Z");
    assertThat(StatusEvents.transitions(first, notReady))
        .singleElement()
        .satisfies(e -> assertThat(e.type()).isEqualTo(EventType.WARNING));
  }

  @Test
  void invalidSpecIsReadyFalseAndDegraded() {
    ModelDeployment md = Fixtures.example("iris.yaml");
    ModelDeploymentStatus s = StatusCalculator.invalid(md, "name too long", T0);
    assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(s, "Ready").getReason()).isEqualTo("InvalidSpec");
    assertThat(condition(s, "Ready").getMessage()).isEqualTo("name too long");
    assertThat(condition(s, "Degraded").getStatus()).isEqualTo("True");
    assertThat(s.getTraffic()).as("nothing serves an invalid spec").isNull();
    assertThat(s.getUrl()).as("no Service was made").isNull();
    // Ready=False and Degraded=True say the same thing: one Warning Event, not two
    assertThat(StatusEvents.transitions(null, s))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(EventType.WARNING);
              assertThat(e.reason().text()).isEqualTo("InvalidSpec");
            });
  }

  @Test
  void anInvalidChangeKeepsReportingWhatTheLastValidSpecServes() {
    ModelDeployment md = Fixtures.example("iris.yaml");
    ModelDeploymentStatus serving =
        compute(md, Map.of("v1", deployment("v1", 1, 1)), List.of(), T0);
    md.setStatus(serving);
    ModelDeploymentStatus s = StatusCalculator.invalid(md, "name too long", T1);
    assertThat(s.getTraffic()).isEqualTo(serving.getTraffic()).isNotNull();
    assertThat(s.getUrl()).isEqualTo(serving.getUrl()).isNotNull();
  }

  @Test
  void aCanaryStartingIsNormalProgressNotAWarning() {
    ModelDeployment one = Fixtures.example("iris.yaml");
    ModelDeploymentStatus serving =
        compute(one, Map.of("v1", deployment("v1", 1, 1)), List.of(), T0);
    ModelDeployment canary = Fixtures.md(TWO_VERSIONS);
    canary.setStatus(serving);

    ModelDeploymentStatus starting =
        compute(canary, Map.of("v1", deployment("v1", 1, 1)), List.of(), T1);
    assertThat(condition(starting, "Ready").getStatus()).isEqualTo("False");
    assertThat(StatusEvents.transitions(serving, starting))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(EventType.NORMAL);
              assertThat(e.reason()).isEqualTo(Reason.VERSIONS_NOT_READY);
            });
  }
}
