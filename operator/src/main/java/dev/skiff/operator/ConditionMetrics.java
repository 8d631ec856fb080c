package dev.skiff.operator;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelDeploymentStatus;
import dev.skiff.operator.reconciler.StatusListener;
import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code skiff_operator_modeldeployment_condition{namespace, name, type, status} = 1}, one series
 * per condition type holding its current status (kube-state-metrics style, so {@code sum by (type,
 * status)} counts ModelDeployments per condition). A status change removes the old series; a
 * deleted ModelDeployment loses all of its series.
 */
final class ConditionMetrics implements StatusListener {

  private final Gauge gauge;

  /** resource → condition type → the status its series carries now. */
  private final Map<ResourceID, Map<String, String>> current = new HashMap<>();

  ConditionMetrics(PrometheusRegistry registry) {
    gauge =
        Gauge.builder()
            .name("skiff_operator_modeldeployment_condition")
            .help("Current status (True, False, Unknown) of each ModelDeployment condition")
            .labelNames("namespace", "name", "type", "status")
            .register(registry);
  }

  @Override
  public synchronized void statusComputed(ModelDeployment md, ModelDeploymentStatus status) {
    ResourceID id = ResourceID.fromResource(md);
    Map<String, String> next = new LinkedHashMap<>();
    if (status != null && status.getConditions() != null) {
      for (Condition c : status.getConditions()) {
        if (c.getType() != null) {
          next.put(c.getType(), c.getStatus() == null ? "Unknown" : c.getStatus());
        }
      }
    }
    Map<String, String> previous = current.getOrDefault(id, Map.of());
    previous.forEach(
        (type, old) -> {
          if (!old.equals(next.get(type))) {
            gauge.remove(namespace(id), id.getName(), type, old);
          }
        });
    next.forEach((type, now) -> gauge.labelValues(namespace(id), id.getName(), type, now).set(1));
    if (next.isEmpty()) {
      current.remove(id);
    } else {
      current.put(id, next);
    }
  }

  /** Drops every series of a deleted ModelDeployment. */
  synchronized void deleted(ResourceID id) {
    Map<String, String> previous = current.remove(id);
    if (previous != null) {
      previous.forEach((type, old) -> gauge.remove(namespace(id), id.getName(), type, old));
    }
  }

  private static String namespace(ResourceID id) {
    return id.getNamespace().orElse("");
  }
}
