package dev.skiff.runtime.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.backend.ModelSession;
import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Per-batch padding: token tensors of different lengths joined by padding each request's rows to
 * the batch's longest with the input's pad value, and the answers cut back by rows; through {@link
 * BatchTensors} directly and through the batcher with a model that sums the ids the mask keeps.
 */
class PaddedBatchingTest {
  private static final long PAD_ID = 9;
  private static final BatchPadding TOKENS =
      new BatchPadding(Map.of("input_ids", PAD_ID, "attention_mask", 0L));

  private final MaskedSumModel model = new MaskedSumModel();
  private final InferenceExecutor executor = new InferenceExecutor(2, 64);
  private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();

  @AfterEach
  void close() {
    model.release.countDown();
    callers.shutdownNow();
    executor.close();
  }

  private static Tensor int64(String name, long[] shape, long... values) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(values.length * 8).order(ByteOrder.nativeOrder());
    buffer.asLongBuffer().put(values);
    return Tensor.ofBuffer(name, Datatype.INT64, shape, buffer);
  }

  /** One request of token rows, all of one length, the mask 1 everywhere. */
  private static List<Tensor> tokens(long[]... rows) {
    int length = rows[0].length;
    long[] ids = new long[rows.length * length];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, ids, r * length, length);
    }
    long[] mask = new long[ids.length];
    Arrays.fill(mask, 1);
    long[] shape = {rows.length, length};
    return List.of(int64("input_ids", shape, ids), int64("attention_mask", shape, mask));
  }

  private static long[] longs(Tensor tensor) {
    ByteBuffer data = tensor.data();
    long[] values = new long[data.remaining() / 8];
    data.asLongBuffer().get(values);
    return values;
  }

  @Test
  void eachRequestIsPaddedToTheLongestOfTheBatchWithItsInputsPadValue() {
    List<Tensor> joined =
        BatchTensors.concat(
            List.of(tokens(new long[] {1, 2}), tokens(new long[] {3, 4, 5}, new long[] {6, 7, 8})),
            TOKENS);
    assertThat(joined.get(0).shape()).containsExactly(3, 3);
    assertThat(longs(joined.get(0))).containsExactly(1, 2, PAD_ID, 3, 4, 5, 6, 7, 8);
    assertThat(longs(joined.get(1))).containsExactly(1, 1, 0, 1, 1, 1, 1, 1, 1);
    assertThat(joined.get(0).rawData().isDirect()).isTrue();
  }

  @Test
  void int32InputsArePaddedAndEqualLengthsAreJoinedAsTheyAre() {
    ByteBuffer shortRow = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, 5);
    ByteBuffer longRow = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    longRow.putInt(0, 6).putInt(4, 7);
    BatchPadding padding = new BatchPadding(Map.of("ids", -1L));
    Tensor joined =
        BatchTensors.concat(
                List.of(
                    List.of(Tensor.ofBuffer("ids", Datatype.INT32, new long[] {1, 1}, shortRow)),
                    List.of(Tensor.ofBuffer("ids", Datatype.INT32, new long[] {1, 2}, longRow))),
                padding)
            .get(0);
    ByteBuffer data = joined.data();
    assertThat(joined.shape()).containsExactly(2, 2);
    assertThat(List.of(data.getInt(0), data.getInt(4), data.getInt(8), data.getInt(12)))
        .containsExactly(5, -1, 6, 7);

    List<Tensor> same =
        BatchTensors.concat(List.of(tokens(new long[] {1, 2}), tokens(new long[] {3, 4})), TOKENS);
    assertThat(longs(same.get(0))).containsExactly(1, 2, 3, 4);
  }

  @Test
  void onlyIntegerInputsArePadded() {
    ByteBuffer one = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
    ByteBuffer two = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    assertThatThrownBy(
            () ->
                BatchTensors.concat(
                    List.of(
                        List.of(Tensor.ofBuffer("x", Datatype.FP32, new long[] {1, 1}, one)),
                        List.of(Tensor.ofBuffer("x", Datatype.FP32, new long[] {1, 2}, two))),
                    new BatchPadding(Map.of("x", 0L))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("input 'x' is FP32; only INT64 and INT32 are padded");
  }

  @Test
  void rowsCutFromAPaddedBatchAreEachRequestsOwn() {
    Map<String, Tensor> outputs = new LinkedHashMap<>();
    outputs.put("sum", int64("sum", new long[] {3}, 3, 12, 21));
    List<Map<String, Tensor>> split =
        BatchTensors.split(outputs, new long[] {1, 2}, List.of(Set.of("sum"), Set.of("sum")));
    assertThat(longs(split.get(0).get("sum"))).containsExactly(3);
    assertThat(longs(split.get(1).get("sum"))).containsExactly(12, 21);
    assertThat(split.get(1).get("sum").shape()).containsExactly(2);
  }

  @Test
  void theBatcherJoinsRequestsOfDifferentLengthsAndAnswersEachAsAlone() throws Exception {
    DynamicBatcher batcher =
        new DynamicBatcher(
            "tokens", "v1", model, 32, 10_000, 64, executor, new RuntimeMetrics(), TOKENS);
    Future<Map<String, Tensor>> first = submit(batcher, tokens(new long[] {100}));
    assertThat(model.firstCallStarted.await(10, TimeUnit.SECONDS)).isTrue();
    List<List<Tensor>> requests =
        List.of(
            tokens(new long[] {1, 2}),
            tokens(new long[] {3, 4, 5, 6}),
            tokens(new long[] {7}, new long[] {8}));
    List<Future<Map<String, Tensor>>> queued = new ArrayList<>();
    for (List<Tensor> request : requests) {
      queued.add(submit(batcher, request));
    }
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (batcher.waiting() < 3 && System.nanoTime() < giveUp) {
      Thread.sleep(2);
    }
    model.release.countDown();

    assertThat(longs(first.get(10, TimeUnit.SECONDS).get("sum"))).containsExactly(100);
    assertThat(longs(queued.get(0).get(10, TimeUnit.SECONDS).get("sum"))).containsExactly(3);
    assertThat(longs(queued.get(1).get(10, TimeUnit.SECONDS).get("sum"))).containsExactly(18);
    assertThat(longs(queued.get(2).get(10, TimeUnit.SECONDS).get("sum"))).containsExactly(7, 8);
    // the three queued requests (4 rows) ran as one call at the longest length, 4
    assertThat(model.callShapes).containsExactly("1x1", "4x4");
  }

  @Test
  void withoutPaddingRequestsOfDifferentLengthsRunApart() throws Exception {
    DynamicBatcher batcher =
        new DynamicBatcher(
            "tokens",
            "v1",
            model,
            32,
            10_000,
            64,
            executor,
            new RuntimeMetrics(),
            BatchPadding.NONE);
    Future<Map<String, Tensor>> first = submit(batcher, tokens(new long[] {100}));
    assertThat(model.firstCallStarted.await(10, TimeUnit.SECONDS)).isTrue();
    Future<Map<String, Tensor>> two = submit(batcher, tokens(new long[] {1, 2}));
    Future<Map<String, Tensor>> three = submit(batcher, tokens(new long[] {1, 2, 3}));
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (batcher.waiting() < 2 && System.nanoTime() < giveUp) {
      Thread.sleep(2);
    }
    model.release.countDown();
    first.get(10, TimeUnit.SECONDS);
    assertThat(longs(two.get(10, TimeUnit.SECONDS).get("sum"))).containsExactly(3);
    assertThat(longs(three.get(10, TimeUnit.SECONDS).get("sum"))).containsExactly(6);
    assertThat(model.callShapes).containsExactlyInAnyOrder("1x1", "1x2", "1x3");
  }

  private Future<Map<String, Tensor>> submit(DynamicBatcher batcher, List<Tensor> inputs) {
    return callers.submit(() -> batcher.run(inputs, Set.of("sum")));
  }

  /**
   * sum (INT64 [-1]) = the sum of each row's ids where the mask is 1, so padding that the mask
   * hides changes nothing; records each call's shape; its first call can be held.
   */
  private static final class MaskedSumModel implements ModelSession {
    final CountDownLatch firstCallStarted = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<String> callShapes = new CopyOnWriteArrayList<>();

    @Override
    public String platform() {
      return "test";
    }

    @Override
    public List<TensorSpec> inputs() {
      return List.of(
          new TensorSpec("input_ids", Datatype.INT64, new long[] {-1, -1}),
          new TensorSpec("attention_mask", Datatype.INT64, new long[] {-1, -1}));
    }

    @Override
    public List<TensorSpec> outputs() {
      return List.of(new TensorSpec("sum", Datatype.INT64, new long[] {-1}));
    }

    @Override
    public Map<String, Tensor> run(List<Tensor> inputs, Set<String> outputNames)
        throws InterruptedException {
      firstCallStarted.countDown();
      if (!release.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the model");
      }
      int rows = Math.toIntExact(inputs.get(0).dim(0));
      int length = Math.toIntExact(inputs.get(0).dim(1));
      callShapes.add(rows + "x" + length);
      long[] ids = longs(inputs.get(0));
      long[] mask = longs(inputs.get(1));
      long[] sums = new long[rows];
      for (int i = 0; i < ids.length; i++) {
        sums[i / length] += ids[i] * mask[i];
      }
      return Map.of("sum", int64("sum", new long[] {rows}, sums));
    }

    @Override
    public void close() {}
  }
}
