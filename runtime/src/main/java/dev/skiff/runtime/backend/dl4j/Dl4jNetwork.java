package dev.skiff.runtime.backend.dl4j;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A MultiLayerNetwork or a ComputationGraph behind one face: its tensors, one forward pass, and a
 * copy for another thread. DL4J networks keep per-call state in their layers and are not safe for
 * concurrent use, so {@link Dl4jModelSession} gives each concurrent call its own copy.
 */
sealed interface Dl4jNetwork {

  List<TensorSpec> inputs();

  List<TensorSpec> outputs();

  /** One inference pass; inputs in {@link #inputs()} order, outputs in {@link #outputs()} order. */
  INDArray[] output(INDArray[] inputs);

  /** An independent copy with the same parameters. */
  Dl4jNetwork copy();

  static Dl4jNetwork of(MultiLayerNetwork network, DeclaredNames names) {
    MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
    String where = "MultiLayerNetwork";
    int layers = conf.getConfs().size();
    if (layers == 0) {
      throw new ModelLoadException(where + " has no layers");
    }
    long[] inputShape =
        NetworkShapes.input(conf.getConf(0).getLayer(), conf.getInputPreProcess(0), where);
    long[] outputShape = null;
    for (int i = layers - 1; i >= 0 && outputShape == null; i--) {
      outputShape = NetworkShapes.output(conf.getConf(i).getLayer(), where);
    }
    if (outputShape == null) {
      throw new ModelLoadException(where + ": no layer fixes the output size");
    }
    return new MultiLayer(
        network,
        List.of(new TensorSpec(names.input(), Datatype.FP32, inputShape)),
        List.of(new TensorSpec(names.output(), Datatype.FP32, outputShape)));
  }

  static Dl4jNetwork of(ComputationGraph graph) {
    ComputationGraphConfiguration conf = graph.getConfiguration();
    List<TensorSpec> inputs = new ArrayList<>();
    for (String name : conf.getNetworkInputs()) {
      inputs.add(new TensorSpec(name, Datatype.FP32, graphInputShape(conf, name)));
    }
    List<TensorSpec> outputs = new ArrayList<>();
    for (String name : conf.getNetworkOutputs()) {
      outputs.add(new TensorSpec(name, Datatype.FP32, graphOutputShape(conf, name, 0)));
    }
    return new Graph(graph, List.copyOf(inputs), List.copyOf(outputs));
  }

  private static long[] graphInputShape(ComputationGraphConfiguration conf, String input) {
    String where = "ComputationGraph input '" + input + "'";
    for (Map.Entry<String, List<String>> entry : conf.getVertexInputs().entrySet()) {
      if (entry.getValue().contains(input)
          && conf.getVertices().get(entry.getKey()) instanceof LayerVertex layer) {
        return NetworkShapes.input(layer.getLayerConf().getLayer(), layer.getPreProcessor(), where);
      }
    }
    throw new ModelLoadException(where + " feeds no layer, so its shape is unknown");
  }

  private static long[] graphOutputShape(
      ComputationGraphConfiguration conf, String vertexName, int depth) {
    String where = "ComputationGraph output '" + vertexName + "'";
    GraphVertex vertex = conf.getVertices().get(vertexName);
    if (vertex instanceof ReshapeVertex reshape) {
      long[] shape = new long[reshape.getNewShape().length];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = i == 0 ? -1 : reshape.getNewShape()[i];
      }
      return shape;
    }
    if (vertex instanceof LayerVertex layer) {
      long[] shape = NetworkShapes.output(layer.getLayerConf().getLayer(), where);
      if (shape != null) {
        return shape;
      }
      List<String> from = conf.getVertexInputs().get(vertexName);
      if (from != null && from.size() == 1 && depth < 64) {
        return graphOutputShape(conf, from.get(0), depth + 1);
      }
    }
    throw new ModelLoadException(
        where
            + " is a "
            + (vertex == null ? "network input" : vertex.getClass().getSimpleName())
            + ", whose output shape the Deeplearning4j backend cannot tell");
  }

  /** A MultiLayerNetwork: one input, one output. */
  record MultiLayer(MultiLayerNetwork network, List<TensorSpec> inputs, List<TensorSpec> outputs)
      implements Dl4jNetwork {
    @Override
    public INDArray[] output(INDArray[] in) {
      return new INDArray[] {network.output(in[0], false)};
    }

    @Override
    public Dl4jNetwork copy() {
      // MultiLayerNetwork's output methods lock the network; so does this, so a copy is never
      // taken while the layers hold a call's intermediate state.
      synchronized (network) {
        return new MultiLayer(network.clone(), inputs, outputs);
      }
    }
  }

  /** A ComputationGraph: named inputs and outputs (its vertex names). */
  record Graph(ComputationGraph network, List<TensorSpec> inputs, List<TensorSpec> outputs)
      implements Dl4jNetwork {
    @Override
    public INDArray[] output(INDArray[] in) {
      return network.output(false, in);
    }

    @Override
    public Dl4jNetwork copy() {
      synchronized (network) {
        return new Graph(network.clone(), inputs, outputs);
      }
    }
  }
}
