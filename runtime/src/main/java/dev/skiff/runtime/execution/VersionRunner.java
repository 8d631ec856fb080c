package dev.skiff.runtime.execution;

import dev.skiff.runtime.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How one loaded version runs a validated request: alone on the inference threads ({@link
 * DirectRunner}) or joined with others ({@link DynamicBatcher}); chosen once, when the version is
 * loaded.
 */
public interface VersionRunner {

  /**
   * Runs one request and waits for its outputs.
   *
   * @param inputs one tensor per model input, in the model's input order
   * @param outputs the outputs wanted (never empty)
   * @return the outputs by name
   * @throws dev.skiff.runtime.web.ApiException 503 when the server is at capacity
   */
  Map<String, Tensor> run(List<Tensor> inputs, Set<String> outputs) throws Exception;
}
