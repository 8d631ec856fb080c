package dev.skiff.operator;

import dev.skiff.operator.reconciler.StatusListener;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JOSDK metrics as Prometheus series in the registry that {@link HealthServer} exposes, plus the
 * ModelDeployment condition gauge ({@link #conditions()}), whose series JOSDK's delete callback
 * removes.
 *
 * <p>Queued and in-progress reconciliations are sets of resource ids rather than up/down counters:
 * JOSDK calls {@code reconciliationFinished} also for executions it skipped before {@code
 * reconciliationStarted} (resource gone from the cache), and a set cannot drift below zero.
 */
public final class OperatorMetrics implements Metrics {

  private final Counter reconciliations;
  private final Counter failures;
  private final Counter events;
  private final Histogram duration;
  private final Set<ResourceID> queued = ConcurrentHashMap.newKeySet();
  private final Set<ResourceID> running = ConcurrentHashMap.newKeySet();
  private final ConditionMetrics conditions;

  public OperatorMetrics(PrometheusRegistry registry) {
    reconciliations =
        Counter.builder()
            .name("skiff_operator_reconciliations_total")
            .help("Reconciliations started, by kind")
            .labelNames("kind")
            .register(registry);
    failures =
        Counter.builder()
            .name("skiff_operator_reconciliation_failures_total")
            .help("Reconciliations that threw, by kind and exception")
            .labelNames("kind", "exception")
            .register(registry);
    events =
        Counter.builder()
            .name("skiff_operator_events_received_total")
            .help("Informer events received")
            .register(registry);
    duration =
        Histogram.builder()
            .name("skiff_operator_reconciliation_duration_seconds")
            .help("Time spent in a reconciliation, by controller")
            .labelNames("controller")
            .register(registry);
    GaugeWithCallback.builder()
        .name("skiff_operator_reconciliations_queued")
        .help("Resources whose reconciliation was submitted and waits for a reconcile thread")
        .callback(cb -> cb.call(queued.size()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("skiff_operator_reconciliations_in_progress")
        .help("Reconciliations running now")
        .callback(cb -> cb.call(running.size()))
        .register(registry);
    conditions = new ConditionMetrics(registry);
  }

  /** The listener the reconciler reports computed statuses to (the condition gauge). */
  public StatusListener conditions() {
    return conditions;
  }

  @Override
  public void eventReceived(Event event, Map<String, Object> metadata) {
    events.inc();
  }

  @Override
  public void reconciliationSubmitted(
      HasMetadata resource, RetryInfo retry, Map<String, Object> metadata) {
    if (resource != null) {
      queued.add(ResourceID.fromResource(resource));
    }
  }

  @Override
  public void reconciliationStarted(HasMetadata resource, Map<String, Object> metadata) {
    reconciliations.labelValues(resource.getKind()).inc();
    ResourceID id = ResourceID.fromResource(resource);
    queued.remove(id);
    running.add(id);
  }

  @Override
  public void reconciliationFailed(
      HasMetadata resource, RetryInfo retry, Exception exception, Map<String, Object> metadata) {
    failures.labelValues(resource.getKind(), exception.getClass().getSimpleName()).inc();
  }

  @Override
  public void reconciliationFinished(
      HasMetadata resource, RetryInfo retry, Map<String, Object> metadata) {
    if (resource != null) {
      ResourceID id = ResourceID.fromResource(resource);
      queued.remove(id);
      running.remove(id);
    }
  }

  /** JOSDK calls this when the resource's delete event arrived: forget everything about it. */
  @Override
  public void cleanupDone(ResourceID id, Map<String, Object> metadata) {
    queued.remove(id);
    running.remove(id);
    conditions.deleted(id);
  }

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    long start = System.nanoTime();
    try {
      return execution.execute();
    } finally {
      duration.labelValues(execution.controllerName()).observe((System.nanoTime() - start) / 1e9);
    }
  }
}
