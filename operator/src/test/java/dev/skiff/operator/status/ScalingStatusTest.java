package dev.skiff.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.Fixtures;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerConditionBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScalingStatusTest {

  private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
  private static final String AUTOSCALED =
      """
      apiVersion: skiff.dev/v1alpha1
      kind: ModelDeployment
      metadata: {name: iris, namespace: ns1}
      spec:
        versions:
          - {name: v1, uri: "https://x/1.onnx", weight: 90, autoscaling: {minReplicas: 1, maxReplicas: 3}}
          - {name: v2, uri: "https://x/2.onnx", weight: 10, replicas: 1}
      """;
  private static final String NO_METRICS =
      "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to"
          + " get metrics for resource cpu: no metrics returned from resource metrics API";

  private static HorizontalPodAutoscalerCondition cond(
      String type, String status, String reason, String message) {
    return new HorizontalPodAutoscalerConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .build();
  }

  private static HorizontalPodAutoscaler hpa(
      String name, HorizontalPodAutoscalerCondition... conditions) {
    return new HorizontalPodAutoscalerBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .withConditions(conditions)
        .endStatus()
        .build();
  }

  private static Condition scaling(ModelDeployment md, HorizontalPodAutoscaler... hpas) {
    return ScalingStatus.condition(md, List.of(hpas), 1, null, T0);
  }

  @Test
  void noMetricsIsFalseWithTheAutoscalersReasonAndMessage() {
    Condition c =
        scaling(
            Fixtures.md(AUTOSCALED),
            hpa(
                "iris-v1",
                cond(
                    "AbleToScale", "True", "SucceededGetScale", "the HPA controller can get scale"),
                cond("ScalingActive", "False", "FailedGetResourceMetric", NO_METRICS)));
    assertThat(c.getType()).isEqualTo("ScalingReady");
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getReason()).isEqualTo("FailedGetResourceMetric");
    assertThat(c.getMessage()).isEqualTo("v1: FailedGetResourceMetric: " + NO_METRICS);
  }

  @Test
  void unableToScaleComesFirst() {
    Condition c =
        scaling(
            Fixtures.md(AUTOSCALED),
            hpa(
                "iris-v1",
                cond("AbleToScale", "False", "FailedGetScale", "deployments/scale not found"),
                cond("ScalingActive", "False", "FailedGetResourceMetric", NO_METRICS)));
    assertThat(c.getReason()).isEqualTo("FailedGetScale");
  }

  @Test
  void activeIsTrueAndNamesAnAutoscalerHeldAtItsMaximum() {
    Condition c =
        scaling(
            Fixtures.md(AUTOSCALED),
            hpa(
                "iris-v1",
                cond("AbleToScale", "True", "ReadyForNewScale", "recommended size matches"),
                cond("ScalingActive", "True", "ValidMetricFound", "the HPA computed a count"),
                cond(
                    "ScalingLimited",
                    "True",
                    "TooManyReplicas",
                    "the desired replica count is more than the maximum replica count")),
            hpa(
                "iris-router",
                cond("ScalingActive", "True", "ValidMetricFound", "ok"),
                cond("ScalingLimited", "False", "DesiredWithinRange", "ok")));
    assertThat(c.getStatus()).isEqualTo("True");
    assertThat(c.getReason()).isEqualTo("AutoscalersActive");
    assertThat(c.getMessage())
        .isEqualTo(
            "autoscalers of v1, router can scale; held at a bound: v1: TooManyReplicas: the"
                + " desired replica count is more than the maximum replica count");
  }

  @Test
  void anAutoscalerThatHasNotReportedIsUnknown() {
    Condition c = scaling(Fixtures.md(AUTOSCALED), hpa("iris-v1"));
    assertThat(c.getStatus()).isEqualTo("Unknown");
    assertThat(c.getReason()).isEqualTo("AutoscalerPending");
    assertThat(scaling(Fixtures.md(AUTOSCALED)).getStatus()).isEqualTo("Unknown");
  }

  @Test
  void fixedReplicasOnlyIsTrue() {
    Condition c =
        scaling(
            Fixtures.md(
                """
                apiVersion: skiff.dev/v1alpha1
                kind: ModelDeployment
                metadata: {name: iris, namespace: ns1}
                spec:
                  versions: [{name: v1, uri: "https://x/1.onnx", replicas: 2}]
                """));
    assertThat(c.getStatus()).isEqualTo("True");
    assertThat(c.getReason()).isEqualTo("NotAutoscaled");
  }
}
