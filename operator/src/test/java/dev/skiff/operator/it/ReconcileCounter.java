package dev.skiff.operator.it;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the reconciliations the in-process operator completed, per resource name, so a test can
 * wait for "the operator has looked at it since" instead of sleeping. JOSDK also reports executions
 * it skipped as finished, so only those it reported as started count.
 */
final class ReconcileCounter implements Metrics {
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> completed = new ConcurrentHashMap<>();

  @Override
  public void reconciliationStarted(HasMetadata resource, Map<String, Object> metadata) {
    running.add(resource.getMetadata().getName());
  }

  @Override
  public void reconciliationFinished(
      HasMetadata resource, RetryInfo retry, Map<String, Object> metadata) {
    if (resource != null && running.remove(resource.getMetadata().getName())) {
      completed
          .computeIfAbsent(resource.getMetadata().getName(), n -> new AtomicInteger())
          .incrementAndGet();
    }
  }

  /** Reconciliations of {@code name} completed since this operator started. */
  int completed(String name) {
    AtomicInteger count = completed.get(name);
    return count == null ? 0 : count.get();
  }
}
