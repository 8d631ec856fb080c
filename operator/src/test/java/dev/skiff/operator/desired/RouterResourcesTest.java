package dev.skiff.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.Fixtures;
import dev.skiff.operator.spec.ResourceNames;
import dev.skiff.operator.traffic.TrafficPlan;
import dev.skiff.operator.traffic.TrafficPlanner;
import dev.skiff.operator.traffic.TrafficPlanner.Observed;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterResourcesTest {

  private static final ModelDeployment CANARY = Fixtures.file("router-mirror.yaml");

  private static TrafficPlan plan(Map<String, Integer> ready) {
    return TrafficPlanner.plan(
        CANARY, new Observed(ready, true, false), Instant.parse("2026-11-25T10:00:00Z"));
  }

  @Test
  void configListsVersionServicesWithEffectiveWeightsAndTheMirror() {
    ConfigMap cm = RouterResources.configMap(CANARY, plan(Map.of("v1", 1, "v2", 1)));
    assertThat(cm.getMetadata().getName()).isEqualTo("iris-router");
    assertThat(cm.getMetadata().getLabels()).containsEntry("app.kubernetes.io/component", "router");
    assertThat(cm.getMetadata().getOwnerReferences()).hasSize(1);
    assertThat(cm.getData().get("router.yaml"))
        .isEqualTo(
            """
            model: iris-model
            versions:
            - name: v1
              url: http://iris-v1.ns1.svc:8080
              weight: 90
              grpcPort: 8081
            - name: v2
              url: http://iris-v2.ns1.svc:8080
              weight: 10
              grpcPort: 8081
            mirror:
              version: v2
              percent: 25
            """);
  }

  @Test
  void aNotReadyCanaryIsWrittenWithWeightZero() {
    String yaml = RouterResources.render(CANARY, plan(Map.of("v1", 2, "v2", 0)));
    assertThat(yaml).contains("name: v1\n  url: http://iris-v1.ns1.svc:8080\n  weight: 100");
    assertThat(yaml).contains("name: v2\n  url: http://iris-v2.ns1.svc:8080\n  weight: 0");
  }

  @Test
  void routerDeploymentRunsRouteModeRestrictedWithTheConfigDirectory() {
    Deployment d = RouterResources.deployment(CANARY, Fixtures.DEFAULTS);
    assertThat(d.getMetadata().getName()).isEqualTo("iris-router");
    assertThat(d.getSpec().getSelector().getMatchLabels())
        .isEqualTo(ResourceNames.routerSelector(CANARY));
    assertThat(d.getSpec().getReplicas()).as("the HPA owns replicas").isNull();
    Container c = d.getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(c.getImage()).isEqualTo("ghcr.io/skiff-dev/skiff-runtime:test");
    assertThat(c.getArgs())
        .containsExactly(
            "route",
            "--config",
            "/etc/skiff/router/router.yaml",
            "--port",
            "8080",
            "--shutdown-delay-s",
            "2");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
    assertThat(c.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(5L);
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getResources().getRequests()).containsKey("cpu");
    assertThat(c.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/etc/skiff/router");
              assertThat(m.getSubPath()).as("subPath mounts never update").isNull();
            });
    assertThat(d.getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(v -> assertThat(v.getConfigMap().getName()).isEqualTo("iris-router"));
    assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(d.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();

    assertThat(RouterResources.autoscaler(CANARY).getSpec().getScaleTargetRef().getName())
        .isEqualTo("iris-router");
  }

  @Test
  void desiredStateHasTheRouterOnlyWhenItSplitsTraffic() {
    DesiredState state = Fixtures.desired(CANARY);
    assertThat(state.routerConfig()).isNotNull();
    assertThat(state.router()).isNotNull();
    assertThat(state.routerAutoscaler()).isNotNull();
    assertThat(state.httpRoute()).isNull();
    assertThat(state.stableService().getSpec().getSelector())
        .isEqualTo(ResourceNames.routerSelector(CANARY));

    TrafficPlan starting =
        TrafficPlanner.plan(
            CANARY,
            new Observed(Map.of("v1", 1, "v2", 0), false, false),
            Instant.parse("2026-11-25T10:00:00Z"));
    assertThat(
            DesiredState.of(CANARY, Fixtures.DEFAULTS, starting, Map.of(), false)
                .stableService()
                .getSpec()
                .getSelector())
        .as("router not ready yet: the Service keeps the version with the traffic")
        .isEqualTo(ResourceNames.versionSelector(CANARY, "v1"));
  }
}
