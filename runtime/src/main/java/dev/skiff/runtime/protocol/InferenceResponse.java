package dev.skiff.runtime.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.runtime.tensor.Tensor;
import java.util.List;

/** The answer to an {@link InferenceRequest}: which model version answered, and its outputs. */
public record InferenceResponse(
    String modelName, String modelVersion, String id, ObjectNode parameters, List<Tensor> outputs) {

  public InferenceResponse {
    outputs = List.copyOf(outputs);
  }
}
