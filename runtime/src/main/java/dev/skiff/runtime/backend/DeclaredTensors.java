package dev.skiff.runtime.backend;

import dev.skiff.runtime.tensor.TensorSpec;
import java.util.List;

/**
 * The tensors model.yaml declares for the model a backend is loading, already checked. A backend
 * whose file has no tensor names of its own (a DL4J MultiLayerNetwork) takes them from here; the
 * declared contract is held against the file's own after the load either way.
 *
 * @param inputs declared inputs; empty when model.yaml declares none
 * @param outputs declared outputs; empty when model.yaml declares none
 */
public record DeclaredTensors(List<TensorSpec> inputs, List<TensorSpec> outputs) {

  public static final DeclaredTensors NONE = new DeclaredTensors(List.of(), List.of());

  public DeclaredTensors {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }
}
