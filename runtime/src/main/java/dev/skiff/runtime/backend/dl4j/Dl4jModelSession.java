package dev.skiff.runtime.backend.dl4j;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.backend.ModelSession;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One loaded DL4J network. DL4J networks are not thread-safe (their output methods lock the
 * network), so concurrent {@link #run} calls each borrow a copy from a small pool: copies are made
 * only when calls really overlap, at most one per core (the inference executor runs at most that
 * many calls by default), and reused afterwards. A model therefore costs up to cores × its
 * parameters in memory under full load, and a single caller never pays for a copy.
 */
final class Dl4jModelSession implements ModelSession {
  private final String platform;
  private final String file;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;
  private final Dl4jNetwork template;
  private final BlockingDeque<Dl4jNetwork> idle = new LinkedBlockingDeque<>();
  private final AtomicInteger copies = new AtomicInteger(1);
  private final int maxCopies;

  Dl4jModelSession(String platform, Dl4jNetwork network, String file) {
    this(platform, network, file, Runtime.getRuntime().availableProcessors());
  }

  Dl4jModelSession(String platform, Dl4jNetwork network, String file, int maxCopies) {
    this.platform = platform;
    this.file = file;
    this.template = network;
    this.inputs = network.inputs();
    this.outputs = network.outputs();
    this.maxCopies = Math.max(1, maxCopies);
    idle.add(network);
  }

  @Override
  public String platform() {
    return platform;
  }

  @Override
  public List<TensorSpec> inputs() {
    return inputs;
  }

  @Override
  public List<TensorSpec> outputs() {
    return outputs;
  }

  /** How many copies of the network exist (for tests and logs). */
  int copies() {
    return copies.get();
  }

  @Override
  public Map<String, Tensor> run(List<Tensor> inputTensors, Set<String> outputNames)
      throws InterruptedException {
    INDArray[] in = new INDArray[inputs.size()];
    for (int i = 0; i < in.length; i++) {
      String name = inputs.get(i).name();
      Tensor tensor =
          inputTensors.stream()
              .filter(t -> t.name().equals(name))
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException("input '" + name + "' is missing"));
      in[i] = toNd4j(tensor);
    }
    Dl4jNetwork network = borrow();
    INDArray[] out;
    try {
      out = network.output(in);
    } finally {
      idle.offerFirst(network);
    }
    Map<String, Tensor> result = new LinkedHashMap<>();
    for (int i = 0; i < outputs.size(); i++) {
      String name = outputs.get(i).name();
      if (outputNames.contains(name)) {
        result.put(name, fromNd4j(name, out[i]));
      }
    }
    return result;
  }

  private Dl4jNetwork borrow() throws InterruptedException {
    Dl4jNetwork network = idle.pollFirst();
    if (network != null) {
      return network;
    }
    if (copies.incrementAndGet() <= maxCopies) {
      try {
        return template.copy();
      } catch (RuntimeException e) {
        copies.decrementAndGet();
        throw e;
      }
    }
    copies.decrementAndGet();
    return idle.takeFirst();
  }

  /**
   * Wraps a request tensor as an FP32 INDArray in 'c' order. A direct buffer (what the HTTP layer
   * produces) is handed to nd4j as it is; a heap buffer is copied once.
   */
  private INDArray toNd4j(Tensor tensor) {
    if (tensor.datatype() != Datatype.FP32) {
      throw new IllegalArgumentException(
          "input '" + tensor.name() + "' is " + tensor.datatype() + "; " + file + " takes FP32");
    }
    long[] shape = tensor.shape();
    int count = Math.toIntExact(tensor.elementCount());
    ByteBuffer raw = tensor.rawData().duplicate().order(ByteOrder.nativeOrder());
    if (raw.isDirect()) {
      DataBuffer buffer = Nd4j.createBuffer(raw, DataType.FLOAT, count);
      return Nd4j.create(buffer, shape);
    }
    float[] values = new float[count];
    raw.asFloatBuffer().get(values);
    return Nd4j.create(values, shape, 'c');
  }

  /** Copies an output into a heap buffer the caller owns and frees the native array. */
  private static Tensor fromNd4j(String name, INDArray array) {
    INDArray dense = array;
    if (dense.dataType() != DataType.FLOAT) {
      dense = dense.castTo(DataType.FLOAT);
    }
    if (dense.isView() || dense.ordering() != 'c' || dense.data().offset() != 0) {
      dense = dense.dup('c');
    }
    int bytes = Math.toIntExact(dense.length() * Float.BYTES);
    ByteBuffer heap = ByteBuffer.allocate(bytes).order(ByteOrder.nativeOrder());
    heap.put(dense.data().asNio().order(ByteOrder.nativeOrder()).limit(bytes)).flip();
    Tensor tensor = Tensor.ofBuffer(name, Datatype.FP32, dense.shape(), heap);
    if (isCopy(dense, array) && dense.closeable()) {
      dense.close();
    }
    if (array.closeable()) {
      array.close();
    }
    return tensor;
  }

  @Override
  public void close() {
    idle.clear();
  }

  /** Whether {@code dense} is a copy made of {@code array}, not the same INDArray. */
  @SuppressWarnings("ReferenceEquality") // the question is identity: was a copy made?
  private static boolean isCopy(INDArray dense, INDArray array) {
    return dense != array;
  }
}
