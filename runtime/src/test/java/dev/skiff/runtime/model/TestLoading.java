package dev.skiff.runtime.model;

import dev.skiff.runtime.backend.BackendOptions;
import dev.skiff.runtime.execution.InferenceExecutor;
import dev.skiff.runtime.execution.Runners;
import dev.skiff.runtime.metrics.RuntimeMetrics;

/**
 * Loads a repository the way the server does (one intra-op thread, CPU), for tests that check what
 * loading accepts and refuses rather than run requests: the runners' executor is closed afterwards.
 */
final class TestLoading {
  private TestLoading() {}

  static void loadAll(ModelRepository repository) {
    try (InferenceExecutor executor = new InferenceExecutor(1, 8)) {
      repository.loadAll(
          BackendOptions.builder().build(),
          new Runners(executor, new RuntimeMetrics()),
          (version, seconds) -> {});
    }
  }
}
