package dev.skiff.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.Fixtures;
import dev.skiff.operator.traffic.TrafficPlan;
import dev.skiff.operator.traffic.TrafficPlanner;
import dev.skiff.operator.traffic.TrafficPlanner.Observed;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRule;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrpcRoutesTest {

  private static final ModelDeployment MD = Fixtures.file("gateway-mirror.yaml");
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  private static DesiredState state(Map<String, Integer> ready, boolean grpcRoutesServed) {
    TrafficPlan plan = TrafficPlanner.plan(MD, new Observed(ready, false, true), NOW);
    return DesiredState.of(MD, Fixtures.DEFAULTS, plan, Map.of(), grpcRoutesServed);
  }

  @Test
  void besideTheHttpRouteTheSameSplitAndMirrorToTheGrpcPorts() {
    GRPCRoute route = state(Map.of("v1", 1, "v2", 1), true).grpcRoute();
    assertThat(route.getMetadata().getName()).isEqualTo("iris");
    assertThat(route.getMetadata().getOwnerReferences()).hasSize(1);
    assertThat(route.getSpec().getParentRefs())
        .extracting(p -> p.getName(), p -> p.getNamespace(), p -> p.getSectionName())
        .containsExactly(tuple("public", "infra", "http"));
    assertThat(route.getSpec().getHostnames()).containsExactly("iris.example.com");
    GRPCRouteRule split = route.getSpec().getRules().getFirst();
    assertThat(split.getMatches()).isNullOrEmpty();
    assertThat(split.getBackendRefs())
        .extracting(GRPCBackendRef::getName, GRPCBackendRef::getPort, GRPCBackendRef::getWeight)
        .containsExactly(tuple("iris-v1", 8081, 80), tuple("iris-v2", 8081, 20));
    assertThat(split.getFilters())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.getType()).isEqualTo("RequestMirror");
              assertThat(f.getRequestMirror().getBackendRef().getName()).isEqualTo("iris-v2");
              assertThat(f.getRequestMirror().getBackendRef().getPort()).isEqualTo(8081);
              assertThat(f.getRequestMirror().getPercent()).isEqualTo(10);
            });
  }

  @Test
  void oneRulePerVersionPinsByMetadata() {
    GRPCRoute route = state(Map.of("v1", 1, "v2", 1), true).grpcRoute();
    assertThat(route.getSpec().getRules()).hasSize(3);
    GRPCRouteRule pinV1 = route.getSpec().getRules().get(1);
    assertThat(pinV1.getMatches().getFirst().getHeaders())
        .extracting(h -> h.getType(), h -> h.getName(), h -> h.getValue())
        .containsExactly(tuple("Exact", "x-model-version", "v1"));
    assertThat(pinV1.getBackendRefs())
        .extracting(GRPCBackendRef::getName)
        .containsExactly("iris-v1");
  }

  @Test
  void noGrpcRouteWhereTheClusterServesNoneOrNoGatewaySplits() {
    DesiredState withoutCrd = state(Map.of("v1", 1, "v2", 1), false);
    assertThat(withoutCrd.httpRoute()).isNotNull();
    assertThat(withoutCrd.grpcRoute()).isNull();
    assertThat(withoutCrd.grpcRoutesServed()).isFalse();
    DesiredState routerSplit =
        DesiredState.of(
            Fixtures.file("router-mirror.yaml"),
            Fixtures.DEFAULTS,
            TrafficPlanner.plan(
                Fixtures.file("router-mirror.yaml"),
                new Observed(Map.of("v1", 1, "v2", 1), true, true),
                NOW),
            Map.of(),
            true);
    assertThat(routerSplit.grpcRoute()).isNull();
    assertThat(routerSplit.router()).isNotNull();
  }

  @Test
  void versionAndStableServicesExposeTheGrpcPortAsH2c() {
    DesiredState state = state(Map.of("v1", 1, "v2", 1), true);
    for (Service service :
        new Service[] {state.versionServices().get("v1"), state.stableService()}) {
      assertThat(service.getSpec().getPorts())
          .extracting(ServicePort::getName, ServicePort::getPort, ServicePort::getAppProtocol)
          .containsExactly(tuple("http", 8080, null), tuple("grpc", 8081, "kubernetes.io/h2c"));
    }
  }
}
