package dev.skiff.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelDeploymentStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final OperatorMetrics metrics = new OperatorMetrics(registry);

  @Test
  void conditionSeriesFollowTheComputedStatus() throws IOException {
    ModelDeployment iris = md("iris");
    metrics.conditions().statusComputed(iris, status("Ready", "False", "Degraded", "False"));

    assertThat(scrape())
        .contains(series("iris", "Ready", "False"))
        .contains(series("iris", "Degraded", "False"));

    metrics.conditions().statusComputed(iris, status("Ready", "True", "Degraded", "False"));

    assertThat(scrape())
        .contains(series("iris", "Ready", "True"))
        .doesNotContain(series("iris", "Ready", "False"))
        .contains(series("iris", "Degraded", "False"));
  }

  @Test
  void aConditionWithoutStatusIsUnknownAndADroppedTypeLosesItsSeries() throws IOException {
    ModelDeployment iris = md("iris");
    metrics.conditions().statusComputed(iris, status("Ready", "True", "TrafficReady", "True"));
    ModelDeploymentStatus next = status("Ready", "True");
    next.getConditions().add(new ConditionBuilder().withType("Progressing").build());
    metrics.conditions().statusComputed(iris, next);

    assertThat(scrape())
        .contains(series("iris", "Ready", "True"))
        .contains(series("iris", "Progressing", "Unknown"))
        .doesNotContain("type=\"TrafficReady\"");
  }

  @Test
  void deletingAModelDeploymentRemovesOnlyItsSeries() throws IOException {
    metrics.conditions().statusComputed(md("iris"), status("Ready", "True"));
    metrics.conditions().statusComputed(md("digits"), status("Ready", "False"));

    metrics.cleanupDone(new ResourceID("iris", "ml"), Map.of());

    assertThat(scrape())
        .doesNotContain("name=\"iris\"")
        .contains(series("digits", "Ready", "False"));
  }

  @Test
  void queuedAndInProgressFollowTheExecutionCallbacks() throws IOException {
    ModelDeployment iris = md("iris");
    ModelDeployment digits = md("digits");
    metrics.reconciliationSubmitted(iris, null, Map.of());
    metrics.reconciliationSubmitted(digits, null, Map.of());
    metrics.reconciliationStarted(iris, Map.of());

    assertThat(scrape())
        .contains("skiff_operator_reconciliations_queued 1.0")
        .contains("skiff_operator_reconciliations_in_progress 1.0")
        .contains("skiff_operator_reconciliations_total{kind=\"ModelDeployment\"} 1.0");

    metrics.reconciliationFinished(iris, null, Map.of());
    // JOSDK finishes executions it skipped (resource gone) without starting them
    metrics.reconciliationFinished(digits, null, Map.of());
    metrics.reconciliationFinished(digits, null, Map.of());

    assertThat(scrape())
        .contains("skiff_operator_reconciliations_queued 0.0")
        .contains("skiff_operator_reconciliations_in_progress 0.0");
  }

  @Test
  void failuresAreCountedByException() throws IOException {
    metrics.reconciliationFailed(md("iris"), null, new IllegalStateException("x"), Map.of());

    assertThat(scrape())
        .contains(
            "skiff_operator_reconciliation_failures_total{exception=\"IllegalStateException\","
                + "kind=\"ModelDeployment\"} 1.0");
  }

  private static ModelDeployment md(String name) {
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ml").build());
    return md;
  }

  /** A status with the given (type, status) pairs. */
  private static ModelDeploymentStatus status(String... typeAndStatus) {
    ModelDeploymentStatus status = new ModelDeploymentStatus();
    List<Condition> conditions = new ArrayList<>();
    for (int i = 0; i < typeAndStatus.length; i += 2) {
      conditions.add(
          new ConditionBuilder()
              .withType(typeAndStatus[i])
              .withStatus(typeAndStatus[i + 1])
              .build());
    }
    status.setConditions(conditions);
    return status;
  }

  private static String series(String name, String type, String status) {
    return "skiff_operator_modeldeployment_condition{name=\"%s\",namespace=\"ml\",status=\"%s\",type=\"%s\"} 1.0"
        .formatted(name, status, type);
  }

  private String scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
