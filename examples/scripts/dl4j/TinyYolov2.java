// Builds the tiny-yolov2 example's ONNX network as a Deeplearning4j MultiLayerNetwork with the ONNX
// file's weights, checks its raw grid against ONNX Runtime's for the test image and writes the zip.
// Run by examples/scripts/make_dl4j_models.sh with the runtime's class path (runtime/target/libs).
//
//   java -cp 'runtime/target/libs/*' examples/scripts/dl4j/TinyYolov2.java \
//       <layers.json> <out model.zip> <dl4j-grid.json>
//
// <layers.json> is the ONNX graph in order with its initializers, the letterboxed test image and
// the ONNX model's grid for it (examples/scripts/make_tiny_yolov2_dl4j.py layers). Every layer is
// a plain DL4J layer: no Yolo2OutputLayer, which would decode the grid itself; the runtime's
// `format: yolov2` postprocess needs the raw region output.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

public class TinyYolov2 {
  static final ObjectMapper JSON = new ObjectMapper();
  // Raw grid values, DL4J vs. ONNX Runtime: float32 summation order only.
  static final double TOLERANCE = 1e-4;

  public static void main(String[] args) throws Exception {
    JsonNode spec = JSON.readTree(Path.of(args[0]).toFile());
    Path zip = Path.of(args[1]);
    Path gridJson = Path.of(args[2]);

    // A fixed seed because DL4J otherwise records the current time as every layer's seed in the
    // zip; the initial weights it seeds are all replaced by the ONNX file's.
    NeuralNetConfiguration.ListBuilder layers =
        new NeuralNetConfiguration.Builder().seed(15).dataType(DataType.FLOAT).list();
    List<JsonNode> convolutions = new ArrayList<>();
    for (JsonNode node : spec.get("nodes")) {
      String op = node.get("op").asText();
      String name = node.get("name").asText();
      switch (op) {
        case "Conv" -> {
          int[] shape = ints(node.get("shape"));
          int[] strides = ints(node.get("strides"));
          int[] pads = ints(node.get("pads"));
          // ONNX pads are [top, left, bottom, right]; DL4J's explicit padding is symmetric.
          if (pads[0] != pads[2] || pads[1] != pads[3]) {
            throw new IllegalArgumentException(
                name + ": asymmetric conv pads " + Arrays.toString(pads));
          }
          layers.layer(
              new ConvolutionLayer.Builder(shape[2], shape[3])
                  .name(name)
                  .nIn(shape[1])
                  .nOut(shape[0])
                  .stride(strides)
                  .padding(pads[0], pads[1])
                  .convolutionMode(ConvolutionMode.Truncate)
                  .activation(Activation.IDENTITY)
                  .build());
          convolutions.add(node);
        }
        case "LeakyRelu" ->
            layers.layer(
                new ActivationLayer.Builder()
                    .name(name)
                    .activation(new ActivationLReLU(node.get("alpha").asDouble()))
                    .build());
        case "MaxPool" -> layers.layer(maxPool(name, node));
        default -> throw new IllegalArgumentException(name + ": no DL4J layer for " + op);
      }
    }
    MultiLayerNetwork net = new MultiLayerNetwork(layers.build());
    net.init();
    int c = 0;
    for (var layer : net.getLayers()) {
      if (layer.conf().getLayer() instanceof ConvolutionLayer) {
        // ONNX Conv weights are OIHW, DL4J's convolution "W" is [nOut, nIn, kH, kW] too.
        JsonNode conv = convolutions.get(c++);
        layer.setParam("W", values(conv.get("kernel"), layer.getParam("W").shape()));
        layer.setParam("b", values(conv.get("bias"), layer.getParam("b").shape()));
      }
    }

    JsonNode input = spec.get("input");
    INDArray grid = net.output(values(input.get("data"), longs(input.get("shape"))), false);
    JsonNode onnxGrid = spec.get("onnxGrid");
    if (!Arrays.equals(grid.shape(), longs(onnxGrid.get("shape")))) {
      throw new IllegalStateException(
          "DL4J grid " + Arrays.toString(grid.shape()) + " vs. ONNX " + onnxGrid.get("shape"));
    }
    float[] dl4j = grid.dup('c').data().asFloat();
    double worst = 0;
    for (int i = 0; i < dl4j.length; i++) {
      worst = Math.max(worst, Math.abs(dl4j[i] - onnxGrid.get("data").get(i).asDouble()));
    }
    System.out.printf(
        "tiny-yolov2-dl4j: raw grid %s, max |DL4J - ONNX| %.3g%n",
        Arrays.toString(grid.shape()), worst);
    if (worst > TOLERANCE) {
      throw new IllegalStateException("DL4J's grid differs from ONNX Runtime's by " + worst);
    }

    Files.createDirectories(zip.getParent());
    ModelSerializer.writeModel(net, zip.toFile(), false);
    withFixedEntryTimes(zip);
    ObjectNode out = JSON.createObjectNode();
    ArrayNode shape = out.putArray("shape");
    for (long d : grid.shape()) {
      shape.add(d);
    }
    ArrayNode data = out.putArray("data");
    for (float v : dl4j) {
      data.add(v);
    }
    Files.writeString(gridJson, out.toString());
  }

  /**
   * A 2x2 max pool. Stride 2 without padding is DL4J's Truncate mode. The stride-1 pool (darknet's,
   * keeping the grid 13x13) has ONNX pads [0, 0, 1, 1], one row below and one column right, which
   * max ignores; DL4J's Same mode pads exactly that: total (out - 1) * stride + kernel - in = 1, of
   * which top/left get floor(1 / 2) = 0, and its max pool skips padded cells (no zero padding,
   * which would differ where every value in a window is negative, as leaky ReLU outputs can be).
   */
  static SubsamplingLayer maxPool(String name, JsonNode node) {
    int[] kernel = ints(node.get("kernel"));
    int[] strides = ints(node.get("strides"));
    int[] pads = ints(node.get("pads"));
    ConvolutionMode mode;
    if (Arrays.equals(pads, new int[4])) {
      mode = ConvolutionMode.Truncate;
    } else if (Arrays.equals(strides, new int[] {1, 1})
        && Arrays.equals(pads, new int[] {0, 0, kernel[0] - 1, kernel[1] - 1})) {
      mode = ConvolutionMode.Same;
    } else {
      throw new IllegalArgumentException(
          name + ": no DL4J padding for MaxPool pads " + Arrays.toString(pads));
    }
    return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
        .name(name)
        .kernelSize(kernel)
        .stride(strides)
        .convolutionMode(mode)
        .build();
  }

  /**
   * ModelSerializer stamps its zip entries with the current time; a fixed time makes a re-run
   * byte-identical.
   */
  static void withFixedEntryTimes(Path zip) throws Exception {
    ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip));
        ZipOutputStream out = new ZipOutputStream(rewritten)) {
      for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
        ZipEntry fixed = new ZipEntry(entry.getName());
        fixed.setTimeLocal(LocalDateTime.of(2000, 1, 1, 0, 0)); // local: the same in any zone
        out.putNextEntry(fixed);
        in.transferTo(out);
        out.closeEntry();
      }
    }
    Files.write(zip, rewritten.toByteArray());
  }

  static INDArray values(JsonNode data, long[] shape) {
    float[] values = new float[data.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) data.get(i).asDouble();
    }
    return Nd4j.create(values, shape, 'c');
  }

  static int[] ints(JsonNode array) {
    int[] values = new int[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).asInt();
    }
    return values;
  }

  static long[] longs(JsonNode array) {
    return Arrays.stream(ints(array)).asLongStream().toArray();
  }
}
