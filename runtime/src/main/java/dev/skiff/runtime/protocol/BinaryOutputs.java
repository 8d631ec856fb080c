package dev.skiff.runtime.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.runtime.web.ApiException;
import java.util.HashMap;
import java.util.Map;

/**
 * Which outputs a request wants as raw bytes after the JSON (binary tensor data extension): an
 * output's own {@code "parameters": {"binary_data": ...}} decides; otherwise the request's {@code
 * "parameters": {"binary_data_output": ...}}; otherwise JSON.
 *
 * @param byDefault the request's {@code binary_data_output}
 * @param perOutput the {@code binary_data} of outputs that set it
 */
public record BinaryOutputs(boolean byDefault, Map<String, Boolean> perOutput) {
  /** Every output as JSON. */
  public static final BinaryOutputs NONE = new BinaryOutputs(false, Map.of());

  public BinaryOutputs {
    perOutput = Map.copyOf(perOutput);
  }

  /**
   * Reads the request's choices.
   *
   * @throws ApiException 400 when a flag is not true or false
   */
  public static BinaryOutputs of(InferenceRequest request) {
    boolean byDefault =
        flag(request.parameters(), "binary_data_output", "request parameter", false);
    Map<String, Boolean> perOutput = new HashMap<>();
    for (RequestedOutput output : request.outputs()) {
      if (output.parameters() != null && output.parameters().has("binary_data")) {
        perOutput.put(
            output.name(),
            flag(output.parameters(), "binary_data", "output '" + output.name() + "'", false));
      }
    }
    return new BinaryOutputs(byDefault, perOutput);
  }

  public boolean isBinary(String output) {
    return perOutput.getOrDefault(output, byDefault);
  }

  private static boolean flag(ObjectNode parameters, String key, String owner, boolean absent) {
    JsonNode value = parameters == null ? null : parameters.get(key);
    if (value == null) {
      return absent;
    }
    if (!value.isBoolean()) {
      throw ApiException.badRequest(
          owner + ": parameter '" + key + "' must be true or false, found " + value);
    }
    return value.booleanValue();
  }
}
