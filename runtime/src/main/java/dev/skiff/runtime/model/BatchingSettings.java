package dev.skiff.runtime.model;

import dev.skiff.api.contract.ModelSettingsFile;
import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Dynamic batching of one model (model.yaml's {@code batching}): requests for the same version are
 * joined up to {@code maxBatchSize} rows, waiting at most {@code maxDelayMillis} for company.
 */
public record BatchingSettings(int maxBatchSize, int maxDelayMillis) {

  /**
   * Checks and converts model.yaml's {@code batching}.
   *
   * @throws ModelLoadException naming the setting that is out of range
   */
  static BatchingSettings from(ModelSettingsFile.Batching file, String where) {
    if (file.maxBatchSize() == null || file.maxBatchSize() < 1) {
      throw new ModelLoadException(
          where + ": batching.maxBatchSize must be an integer >= 1, found " + file.maxBatchSize());
    }
    if (file.maxDelayMillis() != null && file.maxDelayMillis() < 0) {
      throw new ModelLoadException(
          where + ": batching.maxDelayMillis must be >= 0, found " + file.maxDelayMillis());
    }
    return new BatchingSettings(
        file.maxBatchSize(), file.maxDelayMillis() == null ? 0 : file.maxDelayMillis());
  }

  /**
   * Batching joins requests along dimension 0, so every tensor must leave it open (-1).
   *
   * @throws ModelLoadException naming the tensors that do not allow batching
   */
  void checkContract(String where, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    List<String> fixed = new ArrayList<>();
    for (TensorSpec spec : inputs) {
      if (spec.rank() == 0 || spec.dim(0) != -1) {
        fixed.add("input " + spec);
      }
    }
    for (TensorSpec spec : outputs) {
      if (spec.rank() == 0 || spec.dim(0) != -1) {
        fixed.add("output " + spec);
      }
    }
    if (!fixed.isEmpty()) {
      throw new ModelLoadException(
          where
              + ": batching needs dimension 0 of every input and output to be -1 (the batch),"
              + " but "
              + String.join(", ", fixed)
              + " does not allow it; remove 'batching' or declare the batch dimension as -1");
    }
  }
}
