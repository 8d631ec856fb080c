package dev.skiff.operator.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelDeploymentStatus;
import dev.skiff.operator.Fixtures;
import dev.skiff.operator.status.StatusCalculator;
import dev.skiff.operator.traffic.TrafficPlan.Routing;
import dev.skiff.operator.traffic.TrafficPlanner.Observed;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The routing decision and the drain state machine of a removed version. */
class TrafficPlannerTest {

  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  private static final String TWO =
      """
      apiVersion: skiff.dev/v1alpha1
      kind: ModelDeployment
      metadata: {name: iris}
      spec:
        versions:
          - {name: v1, uri: "https://x/1.onnx", weight: 90}
          - {name: v2, uri: "https://x/2.onnx", weight: 10}
      """;

  private static final String ONLY_V2 =
      """
      apiVersion: skiff.dev/v1alpha1
      kind: ModelDeployment
      metadata: {name: iris}
      spec:
        versions: [{name: v2, uri: "https://x/2.onnx"}]
        traffic: {drainSeconds: 30}
      """;

  private static Map<String, Integer> ready(Object... pairs) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], (Integer) pairs[i + 1]);
    }
    return m;
  }

  private static TrafficPlan plan(ModelDeployment md, Map<String, Integer> ready, Instant now) {
    return TrafficPlanner.plan(md, new Observed(ready, true, false), now);
  }

  /** What the reconciler does after each reconcile: the plan becomes the previous status. */
  private static void remember(ModelDeployment md, TrafficPlan plan) {
    ModelDeploymentStatus status =
        StatusCalculator.compute(md, Map.of(), List.of(), List.of(), plan, Instant.EPOCH);
    md.setStatus(status);
  }

  @Test
  void oneVersionIsServedByTheServiceSeveralByTheRouter() {
    ModelDeployment one = Fixtures.example("iris.yaml");
    TrafficPlan p1 = plan(one, ready("v1", 1), T0);
    assertThat(p1.routing()).isEqualTo(Routing.SERVICE);
    assertThat(p1.directVersion()).isEqualTo("v1");
    assertThat(p1.effectiveWeights()).containsExactlyEntriesOf(Map.of("v1", 100));

    TrafficPlan p2 = plan(Fixtures.md(TWO), ready("v1", 1, "v2", 1), T0);
    assertThat(p2.routing()).isEqualTo(Routing.ROUTER);
    assertThat(p2.stableSelectsRouter()).isTrue();
    assertThat(p2.configWeights()).containsExactlyEntriesOf(ready("v1", 90, "v2", 10));
  }

  @Test
  void aShadowWithoutTrafficOfItsOwnStillNeedsTheRouter() {
    ModelDeployment md = Fixtures.file("mirror-shadow.yaml");
    assertThat(plan(md, ready("v1", 1, "v2", 1), T0).routing()).isEqualTo(Routing.ROUTER);
  }

  @Test
  void aCanaryGetsTrafficOnlyOnceReady() {
    ModelDeployment md = Fixtures.md(TWO);
    TrafficPlan p = plan(md, ready("v1", 1, "v2", 0), T0);
    assertThat(p.effectiveWeights()).containsExactlyEntriesOf(ready("v1", 100, "v2", 0));
    assertThat(p.configWeights()).containsExactlyEntriesOf(ready("v1", 100, "v2", 0));
    assertThat(p.declaredWeights()).containsExactlyEntriesOf(ready("v1", 90, "v2", 10));
  }

  @Test
  void nothingReadyWritesTheDeclaredWeightsAndTheServiceKeepsTheHighest() {
    TrafficPlan p = TrafficPlanner.plan(Fixtures.md(TWO), new Observed(ready(), false, false), T0);
    assertThat(p.effectiveWeights()).containsExactlyEntriesOf(ready("v1", 0, "v2", 0));
    assertThat(p.configWeights()).containsExactlyEntriesOf(ready("v1", 90, "v2", 10));
    assertThat(p.stableSelectsRouter()).as("router not ready").isFalse();
    assertThat(p.directVersion()).isEqualTo("v1");
  }

  @Test
  void gatewayWhereInstalledRouterFallbackWhereNot() {
    ModelDeployment md =
        Fixtures.md(
            TWO
                + """
                  traffic:
                    gateway: {parentRefs: [{name: public}]}
                """);
    TrafficPlan installed = TrafficPlanner.plan(md, new Observed(ready("v1", 1), true, true), T0);
    assertThat(installed.routing()).isEqualTo(Routing.HTTP_ROUTE);
    assertThat(installed.gatewayApiMissing()).isFalse();
    assertThat(installed.stableSelectsRouter()).isFalse();

    TrafficPlan missing = TrafficPlanner.plan(md, new Observed(ready("v1", 1), true, false), T0);
    assertThat(missing.routing()).isEqualTo(Routing.ROUTER);
    assertThat(missing.gatewayApiMissing()).isTrue();
  }

  @Test
  void aRemovedVersionDrainsWithWeightZeroThenGoes() {
    ModelDeployment md = Fixtures.md(ONLY_V2);
    Map<String, Integer> both = ready("v1", 1, "v2", 1);

    TrafficPlan start = plan(md, both, T0.plusMillis(400));
    assertThat(start.routing()).as("the router stays while v1 drains").isEqualTo(Routing.ROUTER);
    assertThat(start.draining()).containsExactly("v1");
    assertThat(start.configWeights()).containsExactlyEntriesOf(ready("v2", 100, "v1", 0));
    assertThat(start.versions().get(1).drainingSince()).isEqualTo(T0);
    assertThat(start.recheckAfter()).contains(Duration.ofMillis(29_600));
    remember(md, start);

    TrafficPlan later = plan(md, both, T0.plusSeconds(20));
    assertThat(later.draining()).containsExactly("v1");
    assertThat(later.versions().get(1).drainingSince()).as("kept from the status").isEqualTo(T0);
    assertThat(later.recheckAfter()).contains(Duration.ofSeconds(10));
    remember(md, later);

    TrafficPlan done = plan(md, both, T0.plusSeconds(30));
    assertThat(done.draining()).isEmpty();
    assertThat(done.versions()).extracting(TrafficPlan.RoutedVersion::name).containsExactly("v2");
    assertThat(done.routing()).as("one version left").isEqualTo(Routing.SERVICE);
    assertThat(done.directVersion()).isEqualTo("v2");
    assertThat(done.recheckAfter()).isEmpty();
  }

  @Test
  void aRemovedVersionKeepsServingUntilItsReplacementIsReady() {
    ModelDeployment md = Fixtures.md(ONLY_V2);
    TrafficPlan waiting = plan(md, ready("v1", 1, "v2", 0), T0);
    assertThat(waiting.draining()).containsExactly("v1");
    assertThat(waiting.effectiveWeights()).containsExactlyEntriesOf(ready("v2", 0, "v1", 100));
    assertThat(waiting.versions().get(1).drainingSince()).isNull();
    assertThat(waiting.recheckAfter()).isEmpty();
    assertThat(waiting.directVersion()).isEqualTo("v1");
    remember(md, waiting);

    TrafficPlan much = plan(md, ready("v1", 1, "v2", 0), T0.plusSeconds(3600));
    assertThat(much.draining()).as("no clock runs while it serves").containsExactly("v1");

    TrafficPlan replaced = plan(md, ready("v1", 1, "v2", 1), T0.plusSeconds(3601));
    assertThat(replaced.effectiveWeights()).containsExactlyEntriesOf(ready("v2", 100, "v1", 0));
    assertThat(replaced.versions().get(1).drainingSince()).isEqualTo(T0.plusSeconds(3601));
  }
}
