package dev.skiff.runtime.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.runtime.tensor.Tensor;
import java.util.List;

/**
 * A decoded inference request, independent of the wire format it came in (V2 JSON, KServe V1).
 *
 * @param id the client's request id, or null when it sent none
 * @param parameters request-level parameters, passed through untouched (may be null)
 * @param inputs the input tensors, names unique
 * @param outputs the outputs the client asked for; empty means all
 */
public record InferenceRequest(
    String id, ObjectNode parameters, List<Tensor> inputs, List<RequestedOutput> outputs) {

  public InferenceRequest {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }
}
