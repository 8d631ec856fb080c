package dev.skiff.runtime.backend.dl4j;

import dev.skiff.runtime.backend.DeclaredTensors;
import dev.skiff.runtime.tensor.TensorSpec;
import java.util.List;

/**
 * Names for a MultiLayerNetwork's one input and one output. Such a network has no tensor names of
 * its own, so it takes the name model.yaml declares when it declares exactly one, else {@code
 * input} and {@code output}. (A ComputationGraph keeps its vertex names: there a declared name that
 * differs is a mismatch like any other.)
 *
 * @param input the input's name
 * @param output the output's name
 */
record DeclaredNames(String input, String output) {
  static final DeclaredNames DEFAULT = new DeclaredNames("input", "output");

  /** The names model.yaml's declared tensors give, as the loader passed them in. */
  static DeclaredNames of(DeclaredTensors declared) {
    return new DeclaredNames(
        single(declared.inputs(), DEFAULT.input()), single(declared.outputs(), DEFAULT.output()));
  }

  private static String single(List<TensorSpec> declared, String fallback) {
    return declared.size() == 1 ? declared.get(0).name() : fallback;
  }
}
