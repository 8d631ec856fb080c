package dev.skiff.runtime.backend;

import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.tensor.TensorSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One loaded model version, ready to run. Implementations must allow concurrent {@link #run} calls
 * and release native memory on {@link #close()}.
 */
public interface ModelSession extends AutoCloseable {

  /** Platform name reported in model metadata, as Triton names it (e.g. onnxruntime_onnx). */
  String platform();

  /** The model file's own inputs; -1 marks a dimension of any size. */
  List<TensorSpec> inputs();

  /** The model file's own outputs; -1 marks a dimension of any size. */
  List<TensorSpec> outputs();

  /**
   * Runs the model.
   *
   * @param inputs one tensor per model input, already validated against {@link #inputs()}
   * @param outputNames which outputs to compute (never empty)
   * @return the outputs by name, as heap or direct buffers the caller owns
   */
  Map<String, Tensor> run(List<Tensor> inputs, Set<String> outputNames) throws Exception;

  @Override
  void close();
}
