package dev.skiff.runtime.execution;

import dev.skiff.runtime.backend.ModelSession;
import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Runs each request of one version as its own model call on the {@link InferenceExecutor}. */
final class DirectRunner implements VersionRunner {
  private final String model;
  private final String version;
  private final ModelSession session;
  private final InferenceExecutor executor;
  private final RuntimeMetrics metrics;

  DirectRunner(
      String model,
      String version,
      ModelSession session,
      InferenceExecutor executor,
      RuntimeMetrics metrics) {
    this.model = model;
    this.version = version;
    this.session = session;
    this.executor = executor;
    this.metrics = metrics;
  }

  @Override
  public Map<String, Tensor> run(List<Tensor> inputs, Set<String> outputs) throws Exception {
    long submitted = System.nanoTime();
    return executor.execute(
        () -> {
          long started = System.nanoTime();
          metrics.queueDepth(executor.queued());
          Map<String, Tensor> out = session.run(inputs, outputs);
          metrics.inferenceFinished(
              model, version, (started - submitted) / 1e9, (System.nanoTime() - started) / 1e9);
          return out;
        });
  }
}
