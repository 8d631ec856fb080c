package dev.skiff.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelDeploymentStatus;
import dev.skiff.operator.Fixtures;
import dev.skiff.operator.traffic.TrafficPlan;
import dev.skiff.operator.traffic.TrafficPlanner;
import dev.skiff.operator.traffic.TrafficPlanner.Observed;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficStatusTest {

  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  private static ModelDeployment md(int w1, int w2, String traffic) {
    return Fixtures.md(
        """
        apiVersion: skiff.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: iris}
        spec:
          versions:
            - {name: v1, uri: "https://x/1.onnx", weight: %d}
            - {name: v2, uri: "https://x/2.onnx", weight: %d}
        %s
        """
            .formatted(w1, w2, traffic));
  }

  private static ModelDeploymentStatus status(
      ModelDeployment md, Map<String, Integer> ready, boolean router, boolean gatewayApi) {
    TrafficPlan plan = TrafficPlanner.plan(md, new Observed(ready, router, gatewayApi), T0);
    return StatusCalculator.compute(md, Map.of(), List.of(), List.of(), plan, T0);
  }

  private static Condition traffic(ModelDeploymentStatus s) {
    return Conditions.find(s.getConditions(), ConditionType.TRAFFIC_READY).orElseThrow();
  }

  @Test
  void trueWhenDeclaredWeightsAreInEffect() {
    ModelDeploymentStatus s = status(md(90, 10, ""), Map.of("v1", 1, "v2", 1), true, false);
    assertThat(traffic(s).getStatus()).isEqualTo("True");
    assertThat(traffic(s).getReason()).isEqualTo("WeightsApplied");
    assertThat(traffic(s).getMessage()).isEqualTo("v1=90,v2=10 through the router iris-router");
    assertThat(s.getTraffic()).isEqualTo("v1=90,v2=10");
    assertThat(s.getRouting()).isEqualTo("Router");
    assertThat(s.getVersions().get(1).getDeclaredWeight()).isEqualTo(10);
    assertThat(s.getVersions().get(1).getEffectiveWeight()).isEqualTo(10);
  }

  @Test
  void falseWhileACanaryIsNotReadyOrTheRouterStarts() {
    ModelDeploymentStatus canary = status(md(90, 10, ""), Map.of("v1", 1, "v2", 0), true, false);
    assertThat(traffic(canary).getStatus()).isEqualTo("False");
    assertThat(traffic(canary).getReason()).isEqualTo("VersionsNotReady");
    assertThat(canary.getTraffic()).isEqualTo("v1=100(90),v2=0(10)");

    ModelDeploymentStatus starting = status(md(90, 10, ""), Map.of("v1", 1, "v2", 1), false, false);
    assertThat(traffic(starting).getReason()).isEqualTo("RouterNotReady");
    assertThat(traffic(starting).getMessage()).contains("sends all traffic to v1");
  }

  @Test
  void gatewayApiMissingIsReportedOnceAsAWarning() {
    ModelDeployment md = md(90, 10, "  traffic: {gateway: {parentRefs: [{name: gw}]}}");
    ModelDeploymentStatus s = status(md, Map.of("v1", 1, "v2", 1), true, false);
    assertThat(traffic(s).getStatus()).isEqualTo("False");
    assertThat(traffic(s).getReason()).isEqualTo("GatewayAPIMissing");
    assertThat(traffic(s).getMessage())
        .contains("httproutes.gateway.networking.k8s.io", "iris-router");
    assertThat(s.getRouting()).isEqualTo("Router");
    assertThat(StatusEvents.traffic(null, s))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(EventType.WARNING);
              assertThat(e.reason().text()).isEqualTo("GatewayAPIMissing");
            });
    md.setStatus(s);
    assertThat(StatusEvents.traffic(s, status(md, Map.of("v1", 1, "v2", 1), true, false)))
        .isEmpty();

    ModelDeploymentStatus installed = status(md, Map.of("v1", 1, "v2", 1), false, true);
    assertThat(traffic(installed).getReason()).isEqualTo("WeightsApplied");
    assertThat(installed.getRouting()).isEqualTo("HTTPRoute");
  }

  @Test
  void aShiftIsOneEventNamingEachChange() {
    ModelDeploymentStatus before = status(md(90, 10, ""), Map.of("v1", 1, "v2", 1), true, false);
    ModelDeploymentStatus after = status(md(50, 50, ""), Map.of("v1", 1, "v2", 1), true, false);
    assertThat(StatusEvents.traffic(before, after))
        .singleElement()
        .isEqualTo(new StatusEvent(EventType.NORMAL, Reason.TRAFFIC_SHIFTED, "v1 90→50, v2 10→50"));
    assertThat(StatusEvents.traffic(after, after)).isEmpty();
  }

  @Test
  void drainingVersionIsListedWithItsStart() {
    ModelDeployment md =
        Fixtures.md(
            """
            apiVersion: skiff.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris}
            spec:
              versions: [{name: v2, uri: "https://x/2.onnx"}]
            """);
    ModelDeploymentStatus s = status(md, Map.of("v1", 1, "v2", 1), true, false);
    assertThat(traffic(s).getReason()).isEqualTo("Draining");
    assertThat(traffic(s).getMessage()).contains("v1 has weight 0 since 2026-11-25T10:00:00Z");
    assertThat(s.getTraffic()).isEqualTo("v2=100,v1=0(draining)");
    assertThat(s.getVersionNames()).isEqualTo("v2");
    assertThat(s.getVersions().get(1).getDraining()).isTrue();
    assertThat(s.getVersions().get(1).getDrainingSince()).isEqualTo("2026-11-25T10:00:00Z");
    assertThat(condition(s, "Ready").getMessage())
        .as("a draining version does not count for Ready")
        .startsWith("0/1 versions ready; v2:")
        .doesNotContain("v1");

    md.setStatus(s);
    ModelDeploymentStatus gone = status(md, Map.of("v2", 1), true, false);
    assertThat(StatusEvents.traffic(s, gone))
        .extracting(StatusEvent::reason)
        .containsExactly(Reason.VERSION_DRAINED);
  }

  private static Condition condition(ModelDeploymentStatus s, String type) {
    return s.getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }
}
