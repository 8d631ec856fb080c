package dev.skiff.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;

/** JOSDK metrics as Prometheus series in the registry that {@link HealthServer} exposes. */
final class OperatorMetrics implements Metrics {

  private final Counter reconciliations;
  private final Counter failures;
  private final Counter events;
  private final Histogram duration;

  OperatorMetrics(PrometheusRegistry registry) {
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
  }

  @Override
  public void eventReceived(Event event, Map<String, Object> metadata) {
    events.inc();
  }

  @Override
  public void reconciliationStarted(HasMetadata resource, Map<String, Object> metadata) {
    reconciliations.labelValues(resource.getKind()).inc();
  }

  @Override
  public void reconciliationFailed(
      HasMetadata resource, RetryInfo retry, Exception exception, Map<String, Object> metadata) {
    failures.labelValues(resource.getKind(), exception.getClass().getSimpleName()).inc();
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
