package dev.skiff.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.Fixtures;
import dev.skiff.operator.traffic.TrafficPlan;
import dev.skiff.operator.traffic.TrafficPlanner;
import dev.skiff.operator.traffic.TrafficPlanner.Observed;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.time.Instant;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class HttpRoutesTest {

  private static final ModelDeployment MD = Fixtures.file("gateway-mirror.yaml");

  private static HTTPRoute route(Map<String, Integer> ready) {
    TrafficPlan plan =
        TrafficPlanner.plan(
            MD, new Observed(ready, false, true), Instant.parse("2026-11-25T10:00:00Z"));
    return DesiredState.of(MD, Fixtures.DEFAULTS, plan, Map.of(), false).httpRoute();
  }

  @Test
  void weightedBackendRefsToTheVersionServices() {
    HTTPRoute route = route(Map.of("v1", 1, "v2", 1));
    assertThat(route.getMetadata().getName()).isEqualTo("iris");
    assertThat(route.getMetadata().getOwnerReferences()).hasSize(1);
    assertThat(route.getSpec().getParentRefs())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo("public");
              assertThat(p.getNamespace()).isEqualTo("infra");
              assertThat(p.getSectionName()).isEqualTo("http");
              assertThat(p.getKind()).isEqualTo("Gateway");
            });
    assertThat(route.getSpec().getHostnames()).containsExactly("iris.example.com");
    HTTPRouteRule split = route.getSpec().getRules().getFirst();
    assertThat(split.getMatches()).isNullOrEmpty();
    assertThat(split.getBackendRefs())
        .extracting(HTTPBackendRef::getName, HTTPBackendRef::getPort, HTTPBackendRef::getWeight)
        .containsExactly(Tuple.tuple("iris-v1", 8080, 80), Tuple.tuple("iris-v2", 8080, 20));
    assertThat(split.getFilters())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.getType()).isEqualTo("RequestMirror");
              assertThat(f.getRequestMirror().getBackendRef().getName()).isEqualTo("iris-v2");
              assertThat(f.getRequestMirror().getPercent()).isEqualTo(10);
            });
  }

  @Test
  void oneRulePerVersionPinsByHeader() {
    HTTPRoute route = route(Map.of("v1", 1, "v2", 1));
    assertThat(route.getSpec().getRules()).hasSize(3);
    HTTPRouteRule pinV2 = route.getSpec().getRules().get(2);
    assertThat(pinV2.getMatches().getFirst().getHeaders().getFirst().getName())
        .isEqualTo("X-Model-Version");
    assertThat(pinV2.getMatches().getFirst().getHeaders().getFirst().getValue()).isEqualTo("v2");
    assertThat(pinV2.getBackendRefs())
        .extracting(HTTPBackendRef::getName)
        .containsExactly("iris-v2");
  }

  @Test
  void notReadyVersionGetsWeightZeroAndNoRouterIsBuilt() {
    HTTPRoute route = route(Map.of("v1", 1, "v2", 0));
    assertThat(route.getSpec().getRules().getFirst().getBackendRefs())
        .extracting(HTTPBackendRef::getWeight)
        .containsExactly(100, 0);
    TrafficPlan plan =
        TrafficPlanner.plan(
            MD, new Observed(Map.of("v1", 1), false, true), Instant.parse("2026-11-25T10:00:00Z"));
    DesiredState state = DesiredState.of(MD, Fixtures.DEFAULTS, plan, Map.of(), false);
    assertThat(state.router()).isNull();
    assertThat(state.routerConfig()).isNull();
    assertThat(state.gatewayApiInstalled()).isTrue();
  }
}
