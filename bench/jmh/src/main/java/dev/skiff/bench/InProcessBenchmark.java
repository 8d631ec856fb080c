package dev.skiff.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The in-process floor the server is compared with: what one request costs when the caller holds
 * the input in a direct buffer already and calls ONNX Runtime itself. Each operation creates the
 * input tensor (zero-copy from a direct native-order buffer, as the runtime does), runs the session,
 * reads the first output into a primitive and closes every native object.
 *
 * <p>Session settings are the runtime's defaults: intra-op 1, sequential execution, one shared
 * session run concurrently by the JMH threads ({@code -t}), as the runtime's inference threads do.
 *
 * <p>{@code model}: {@code iris} (examples/models/iris, the two rows of examples/requests/iris.json)
 * or {@code cnn} (the ResNet-50-shaped model from bench/models/make_cnn.py, one random 224x224
 * image). {@code -Dskiff.bench.repo=DIR} is the folder holding {@code iris/v1/model.onnx} and
 * {@code cnn/v1/model.onnx}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class InProcessBenchmark {
  static final float[] IRIS_ROWS = {5.1f, 3.5f, 1.4f, 0.2f, 6.3f, 3.3f, 6.0f, 2.5f};

  @Param({"iris", "cnn"})
  public String model;

  OrtEnvironment env;
  OrtSession session;
  long[] shape;
  String inputName;

  @Setup(Level.Trial)
  public void load() throws OrtException {
    String repo = System.getProperty("skiff.bench.repo", "bench/work/models");
    env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(1);
    options.setInterOpNumThreads(1);
    options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    session = env.createSession(repo + "/" + model + "/v1/model.onnx", options);
    inputName = session.getInputNames().iterator().next();
    shape = model.equals("iris") ? new long[] {2, 4} : new long[] {1, 3, 224, 224};
  }

  @TearDown(Level.Trial)
  public void close() throws OrtException {
    session.close();
  }

  /** Each JMH thread's own input, already in a direct buffer. */
  @State(Scope.Thread)
  public static class Input {
    FloatBuffer buffer;

    @Setup(Level.Trial)
    public void fill(InProcessBenchmark bench) {
      int count = 1;
      for (long d : bench.shape) {
        count *= (int) d;
      }
      buffer =
          ByteBuffer.allocateDirect(count * Float.BYTES)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
      if (bench.model.equals("iris")) {
        buffer.put(IRIS_ROWS);
      } else {
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < count; i++) {
          buffer.put((float) random.nextDouble());
        }
      }
      buffer.flip();
    }
  }

  @Benchmark
  public double createTensorAndRun(Input input) throws OrtException {
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, input.buffer.duplicate(), shape);
        OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
      OnnxValue first = result.get(0);
      OnnxTensor out = (OnnxTensor) first;
      if (model.equals("iris")) {
        LongBuffer labels = out.getLongBuffer();
        return labels.get(0) + labels.get(1);
      }
      FloatBuffer scores = out.getFloatBuffer();
      return scores.get(0);
    }
  }
}
