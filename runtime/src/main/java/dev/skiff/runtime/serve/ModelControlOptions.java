package dev.skiff.runtime.serve;

import dev.skiff.runtime.model.ModelControlMode;
import java.time.Duration;
import java.util.List;

/**
 * How the served models may change while the server runs.
 *
 * @param mode none (load all at start, keep them), poll (follow the repository folder) or explicit
 *     (load and unload through the repository API)
 * @param startupModels explicit mode: the models loaded at start; empty or {@code *}: all of them
 * @param pollInterval poll mode: time between two scans of the repository folder
 * @param memoryBudgetBytes the most bytes of model files served at once; 0: no budget
 */
public record ModelControlOptions(
    ModelControlMode mode,
    List<String> startupModels,
    Duration pollInterval,
    long memoryBudgetBytes) {
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);

  /** Today's behaviour: every model loaded at start, no changes after, no budget. */
  public static final ModelControlOptions DEFAULT =
      new ModelControlOptions(ModelControlMode.NONE, List.of(), DEFAULT_POLL_INTERVAL, 0);

  public ModelControlOptions {
    startupModels = List.copyOf(startupModels);
    if (!startupModels.isEmpty() && mode != ModelControlMode.EXPLICIT) {
      throw new IllegalArgumentException(
          "--load-model needs --model-control=explicit; in the other modes every model loads");
    }
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("--repository-poll-interval-s must be > 0");
    }
    if (memoryBudgetBytes < 0) {
      throw new IllegalArgumentException("--model-memory-budget must be >= 0 bytes (0: none)");
    }
  }
}
