package dev.skiff.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.v1alpha1.Feedback;
import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.Fixtures;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DesiredStateTest {

  @Test
  void oneVersionGetsDeploymentServiceHpaAndStableService() {
    DesiredState state = Fixtures.desired(Fixtures.example("iris.yaml"));

    assertThat(state.deployments()).containsOnlyKeys("v1");
    assertThat(state.versionServices()).containsOnlyKeys("v1");
    assertThat(state.autoscalers()).containsOnlyKeys("v1");
    assertThat(state.settings().getMetadata().getName()).isEqualTo("iris-settings");
    assertThat(state.settings().getData()).containsOnlyKeys("v1.model.yaml");

    Service stable = state.stableService();
    assertThat(stable.getMetadata().getName()).isEqualTo("iris");
    assertThat(stable.getSpec().getSelector())
        .containsEntry("skiff.dev/version", "v1")
        .containsEntry("app.kubernetes.io/instance", "iris");
    assertThat(stable.getSpec().getPorts().getFirst().getPort()).isEqualTo(8080);
    assertThat(stable.getSpec().getPorts().getFirst().getName()).isEqualTo("http");
    assertThat(state.router()).as("one version: no router").isNull();
    assertThat(state.routerConfig()).isNull();
    assertThat(state.httpRoute()).isNull();

    Service version = state.versionServices().get("v1");
    assertThat(version.getMetadata().getName()).isEqualTo("iris-v1");
    assertThat(version.getSpec().getSelector())
        .isEqualTo(state.deployments().get("v1").getSpec().getSelector().getMatchLabels());
    assertThat(version.getMetadata().getOwnerReferences()).hasSize(1);
  }

  @Test
  void hpaBoundsAndTarget() {
    HorizontalPodAutoscaler hpa =
        Fixtures.desired(Fixtures.example("iris.yaml")).autoscalers().get("v1");
    assertThat(hpa.getMetadata().getName()).isEqualTo("iris-v1");
    assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("iris-v1");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(1);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(3);
    assertThat(hpa.getSpec().getMetrics().getFirst().getResource().getName()).isEqualTo("cpu");
    assertThat(
            hpa.getSpec().getMetrics().getFirst().getResource().getTarget().getAverageUtilization())
        .isEqualTo(70);
  }

  @Test
  void versionOverridesAutoscalingAndFixedReplicasSkipHpa() {
    DesiredState state = Fixtures.desired(Fixtures.example("fashion-canary.yaml"));
    assertThat(state.deployments()).containsOnlyKeys("v1", "v2");
    assertThat(state.autoscalers()).containsOnlyKeys("v2");
    assertThat(state.autoscalers().get("v2").getSpec().getMaxReplicas()).isEqualTo(4);
    assertThat(state.autoscalers().get("v2").getSpec().getMinReplicas()).isEqualTo(1);
    // several versions: the stable Service selects the (ready) router
    assertThat(state.stableService().getSpec().getSelector())
        .containsOnlyKeys("app.kubernetes.io/instance", "app.kubernetes.io/component")
        .containsEntry("app.kubernetes.io/component", "router");
    assertThat(state.router()).isNotNull();
  }

  @Test
  void hpaDefaultsWhenSpecOmitsAutoscaling() {
    ModelDeployment md = Fixtures.file("version-autoscaling.yaml");
    HorizontalPodAutoscaler hpa = Fixtures.desired(md).autoscalers().get("v1");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(1);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(7);
    assertThat(
            hpa.getSpec().getMetrics().getFirst().getResource().getTarget().getAverageUtilization())
        .isEqualTo(70);
  }

  @Test
  void aHeadlessServiceListsEveryServerPodOfEveryVersionReadyOrNotForFeedback() {
    DesiredState state = Fixtures.desired(Fixtures.example("fashion-canary.yaml"));
    Service peers = state.feedbackPeersService();
    assertThat(peers.getMetadata().getName()).isEqualTo("fashion-peers");
    assertThat(peers.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/component", "feedback-peers");
    assertThat(peers.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(peers.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(peers.getSpec().getSelector())
        .containsOnly(
            Map.entry("app.kubernetes.io/instance", "fashion"),
            Map.entry("app.kubernetes.io/component", "model-server"));
    assertThat(peers.getSpec().getPorts().getFirst().getPort()).isEqualTo(8080);
    // every version's pods carry what the selector asks for
    state
        .deployments()
        .values()
        .forEach(
            d ->
                assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                    .containsAllEntriesOf(peers.getSpec().getSelector()));
  }

  @Test
  void disabledFeedbackHasNoPeersService() {
    ModelDeployment md = Fixtures.example("iris.yaml");
    md.getSpec().setFeedback(new Feedback());
    md.getSpec().getFeedback().setEnabled(false);
    assertThat(Fixtures.desired(md).feedbackPeersService()).isNull();
  }
}
