package dev.skiff.runtime.inference;

import dev.skiff.runtime.model.ModelVersion;
import dev.skiff.runtime.protocol.InferenceResponse;
import dev.skiff.runtime.tensor.Tensor;
import java.util.List;

/**
 * What other parts of the runtime add to every inference, whatever protocol it came in: turning
 * inputs the model does not take directly (an encoded image in a BYTES tensor) into ones it does,
 * and hearing each answer (to remember predictions for feedback). The defaults do nothing.
 */
public interface InferenceHooks {
  InferenceHooks NONE = new InferenceHooks() {};

  /** Every hook in order: inputs converted by each in turn, each told of every answer. */
  static InferenceHooks all(java.util.List<InferenceHooks> hooks) {
    java.util.List<InferenceHooks> copy = java.util.List.copyOf(hooks);
    return new InferenceHooks() {
      @Override
      public java.util.List<Tensor> convertInputs(
          ModelVersion version, ModelVersion.Loaded contract, java.util.List<Tensor> inputs) {
        java.util.List<Tensor> converted = inputs;
        for (InferenceHooks hook : copy) {
          converted = hook.convertInputs(version, contract, converted);
        }
        return converted;
      }

      @Override
      public void answered(
          ModelVersion version, ModelVersion.Loaded contract, InferenceResponse response) {
        for (InferenceHooks hook : copy) {
          hook.answered(version, contract, response);
        }
      }
    };
  }

  /** The inputs to validate and run, given the request's; called before validation. */
  default List<Tensor> convertInputs(
      ModelVersion version, ModelVersion.Loaded contract, List<Tensor> inputs) {
    return inputs;
  }

  /** Called once per successful inference with its response. */
  default void answered(ModelVersion version, ModelVersion.Loaded contract, InferenceResponse r) {}
}
