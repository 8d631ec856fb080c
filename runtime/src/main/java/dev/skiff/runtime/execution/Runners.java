package dev.skiff.runtime.execution;

import dev.skiff.runtime.backend.ModelSession;
import dev.skiff.runtime.metrics.RuntimeMetrics;

/**
 * Makes the {@link VersionRunner} of each version as it is loaded, all sharing one {@link
 * InferenceExecutor} and the server's metrics.
 */
public final class Runners {
  private final InferenceExecutor executor;
  private final RuntimeMetrics metrics;

  public Runners(InferenceExecutor executor, RuntimeMetrics metrics) {
    this.executor = executor;
    this.metrics = metrics;
  }

  /** Every request its own model call. */
  public VersionRunner direct(String model, String version, ModelSession session) {
    return new DirectRunner(model, version, session, executor, metrics);
  }

  /**
   * Concurrent requests joined into model calls of at most {@code maxBatchSize} rows; up to the
   * executor's queue capacity may wait for a batch.
   *
   * @param padding the inputs whose last dimension may differ within a batch, and their pad values
   */
  public VersionRunner batched(
      String model,
      String version,
      ModelSession session,
      int maxBatchSize,
      int maxDelayMillis,
      BatchPadding padding) {
    return new DynamicBatcher(
        model,
        version,
        session,
        maxBatchSize,
        maxDelayMillis,
        executor.queueCapacity(),
        executor,
        metrics,
        padding);
  }
}
