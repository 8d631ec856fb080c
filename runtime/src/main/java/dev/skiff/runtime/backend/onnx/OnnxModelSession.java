package dev.skiff.runtime.backend.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.backend.ModelSession;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.tensor.TensorSpec;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One ONNX Runtime session. Request tensors arrive in direct buffers and are wrapped without a
 * copy; every native tensor and result is closed before {@link #run} returns.
 *
 * <p>scikit-learn classifiers exported with ZipMap produce a sequence of {class: probability} maps;
 * such an output is presented as an FP32 tensor {@code [batch, classes]} with columns in class-key
 * order, so clients see the same shape as a model exported with {@code zipmap=False}.
 */
final class OnnxModelSession implements ModelSession {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;

  /** Outputs that are sequences of maps (ZipMap), which ONNX Runtime cannot return empty. */
  private final Set<String> mapSequenceOutputs;

  OnnxModelSession(OrtEnvironment env, OrtSession session) throws OrtException {
    this.env = env;
    this.session = session;
    try {
      this.inputs = describe(session.getInputInfo(), true);
      this.outputs = describe(session.getOutputInfo(), false);
      this.mapSequenceOutputs = new HashSet<>();
      session
          .getOutputInfo()
          .forEach(
              (name, node) -> {
                if (node.getInfo() instanceof SequenceInfo sequence && sequence.sequenceOfMaps) {
                  mapSequenceOutputs.add(name);
                }
              });
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  @Override
  public String platform() {
    return "onnxruntime_onnx";
  }

  @Override
  public List<TensorSpec> inputs() {
    return inputs;
  }

  @Override
  public List<TensorSpec> outputs() {
    return outputs;
  }

  @Override
  public Map<String, Tensor> run(List<Tensor> inputTensors, Set<String> outputNames)
      throws OrtException {
    Map<String, OnnxTensor> feeds = new HashMap<>(inputTensors.size() * 2);
    try {
      for (Tensor tensor : inputTensors) {
        feeds.put(tensor.name(), toOnnx(tensor));
      }
      Set<String> emptyMapSequences = new HashSet<>();
      if (!mapSequenceOutputs.isEmpty() && hasZeroRows(inputTensors)) {
        // ONNX Runtime fails to hand back an empty sequence ("Unsupported type in a sequence"):
        // a 0-row batch gets its ZipMap outputs as FP32 [0, 0] without asking for them
        outputNames.stream().filter(mapSequenceOutputs::contains).forEach(emptyMapSequences::add);
      }
      Set<String> asked = new LinkedHashSet<>(outputNames);
      asked.removeAll(emptyMapSequences);
      Map<String, Tensor> out = new LinkedHashMap<>();
      if (!asked.isEmpty()) {
        try (OrtSession.Result result = session.run(feeds, asked)) {
          for (Map.Entry<String, OnnxValue> entry : result) {
            out.put(entry.getKey(), fromOnnx(entry.getKey(), entry.getValue()));
          }
        }
      }
      for (String name : emptyMapSequences) {
        out.put(
            name, Tensor.ofBuffer(name, Datatype.FP32, new long[] {0, 0}, ByteBuffer.allocate(0)));
      }
      return out;
    } finally {
      feeds.values().forEach(OnnxTensor::close);
    }
  }

  private static boolean hasZeroRows(List<Tensor> tensors) {
    return tensors.stream().anyMatch(t -> t.shape().length > 0 && t.shape()[0] == 0);
  }

  private OnnxTensor toOnnx(Tensor tensor) throws OrtException {
    long[] shape = tensor.shape();
    if (tensor.datatype() == Datatype.BYTES) {
      byte[][] raw = tensor.strings();
      String[] strings = new String[raw.length];
      for (int i = 0; i < raw.length; i++) {
        strings[i] = new String(raw[i], StandardCharsets.UTF_8);
      }
      return OnnxTensor.createTensor(env, strings, shape);
    }
    // A direct buffer is used in place; ONNX Runtime copies a heap buffer.
    return OnnxTensor.createTensor(env, tensor.rawData(), shape, javaType(tensor.datatype()));
  }

  private static OnnxJavaType javaType(Datatype datatype) {
    return switch (datatype) {
      case BOOL -> OnnxJavaType.BOOL;
      case UINT8 -> OnnxJavaType.UINT8;
      case INT8 -> OnnxJavaType.INT8;
      case INT16 -> OnnxJavaType.INT16;
      case INT32 -> OnnxJavaType.INT32;
      case INT64 -> OnnxJavaType.INT64;
      case FP16 -> OnnxJavaType.FLOAT16;
      case FP32 -> OnnxJavaType.FLOAT;
      case FP64 -> OnnxJavaType.DOUBLE;
      case UINT16, UINT32, UINT64, BYTES ->
          throw new IllegalArgumentException(datatype + " cannot be fed to ONNX Runtime Java");
    };
  }

  private static Tensor fromOnnx(String name, OnnxValue value) throws OrtException {
    if (value instanceof OnnxTensor tensor) {
      TensorInfo info = tensor.getInfo();
      long[] shape = info.getShape();
      if (info.type == OnnxJavaType.STRING) {
        String[] flat = flattenStrings(tensor.getValue(), Math.toIntExact(info.getNumElements()));
        byte[][] bytes = new byte[flat.length][];
        for (int i = 0; i < flat.length; i++) {
          bytes[i] = flat[i].getBytes(StandardCharsets.UTF_8);
        }
        return Tensor.ofStrings(name, shape, bytes);
      }
      Datatype datatype = datatypeOf(info.onnxType, name);
      ByteBuffer data = tensor.getByteBuffer().order(ByteOrder.nativeOrder());
      return Tensor.ofBuffer(name, datatype, shape, data);
    }
    if (value instanceof OnnxSequence sequence && sequence.getInfo().isSequenceOfMaps()) {
      return mapsToProbabilities(name, sequence);
    }
    throw new IllegalStateException(
        "output '" + name + "' is a " + value.getType() + ", which the runtime cannot return");
  }

  /** ZipMap output: one {class: score} map per row becomes FP32 [rows, classes]. */
  private static Tensor mapsToProbabilities(String name, OnnxSequence sequence)
      throws OrtException {
    List<? extends OnnxValue> rows = sequence.getValue();
    int classes = -1;
    ByteBuffer data = null;
    for (int r = 0; r < rows.size(); r++) {
      Map<?, ?> row = new TreeMap<>(((OnnxMap) rows.get(r)).getValue());
      if (data == null) {
        classes = row.size();
        data = ByteBuffer.allocate(rows.size() * classes * 4).order(ByteOrder.nativeOrder());
      } else if (row.size() != classes) {
        throw new IllegalStateException("output '" + name + "' rows have different class counts");
      }
      for (Object score : row.values()) {
        data.putFloat(((Number) score).floatValue());
      }
    }
    if (data == null) {
      return Tensor.ofBuffer(name, Datatype.FP32, new long[] {0, 0}, ByteBuffer.allocate(0));
    }
    data.flip();
    return Tensor.ofBuffer(name, Datatype.FP32, new long[] {rows.size(), classes}, data);
  }

  private static String[] flattenStrings(Object value, int count) {
    String[] flat = new String[count];
    int[] next = {0};
    flatten(value, flat, next);
    return flat;
  }

  private static void flatten(Object value, String[] into, int[] next) {
    if (value instanceof String s) {
      into[next[0]++] = s;
    } else {
      for (int i = 0; i < Array.getLength(value); i++) {
        flatten(Array.get(value, i), into, next);
      }
    }
  }

  private static List<TensorSpec> describe(Map<String, NodeInfo> nodes, boolean areInputs) {
    List<TensorSpec> specs = new ArrayList<>();
    for (NodeInfo node : nodes.values()) {
      ValueInfo info = node.getInfo();
      if (info instanceof TensorInfo tensor) {
        Datatype datatype = datatypeOf(tensor.onnxType, node.getName());
        if (areInputs
            && (datatype == Datatype.UINT16
                || datatype == Datatype.UINT32
                || datatype == Datatype.UINT64)) {
          throw new ModelLoadException(
              "input '"
                  + node.getName()
                  + "' is "
                  + datatype
                  + ", which ONNX Runtime's Java API cannot create tensors of; cast it to a"
                  + " signed type in the model");
        }
        specs.add(new TensorSpec(node.getName(), datatype, tensor.getShape()));
      } else if (!areInputs && info instanceof SequenceInfo seq && seq.isSequenceOfMaps()) {
        specs.add(new TensorSpec(node.getName(), Datatype.FP32, new long[] {-1, -1}));
      } else {
        throw new ModelLoadException(
            (areInputs ? "input '" : "output '")
                + node.getName()
                + "' is "
                + info
                + "; only tensors (and ZipMap class-score outputs) are supported");
      }
    }
    return List.copyOf(specs);
  }

  private static Datatype datatypeOf(TensorInfo.OnnxTensorType type, String name) {
    return switch (type) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> Datatype.BOOL;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> Datatype.UINT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> Datatype.UINT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> Datatype.UINT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> Datatype.UINT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> Datatype.INT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> Datatype.INT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> Datatype.INT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> Datatype.INT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> Datatype.FP16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> Datatype.FP32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> Datatype.FP64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> Datatype.BYTES;
      default ->
          throw new ModelLoadException(
              "tensor '" + name + "' has ONNX type " + type + ", which has no V2 datatype");
    };
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("closing ONNX session failed", e);
    }
  }
}
