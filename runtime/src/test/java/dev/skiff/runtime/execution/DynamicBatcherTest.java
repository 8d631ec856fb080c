package dev.skiff.runtime.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.backend.ModelSession;
import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.tensor.TensorSpec;
import dev.skiff.runtime.web.ApiException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batcher against a small in-process model ({@code y = 2x}, and {@code tag} echoes a BYTES
 * input) whose first call can be held, so the tests decide what is queued while a batch runs.
 */
class DynamicBatcherTest {
  private static final long HUGE_DELAY_MILLIS = 10_000;

  private final DoublingModel model = new DoublingModel();
  private final InferenceExecutor executor = new InferenceExecutor(2, 64);
  private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();

  @AfterEach
  void close() {
    model.release.countDown();
    callers.shutdownNow();
    executor.close();
  }

  private DynamicBatcher batcher(int maxBatchSize, long maxDelayMillis, int capacity) {
    return new DynamicBatcher(
        "double",
        "v1",
        model,
        maxBatchSize,
        maxDelayMillis,
        capacity,
        executor,
        new RuntimeMetrics(),
        BatchPadding.NONE);
  }

  private static List<Tensor> request(float... rowValues) {
    return request(1, rowValues);
  }

  /** {@code rows} rows of {@code width} values; the tag of row r is "t" + first value of row. */
  private static List<Tensor> request(int width, float... values) {
    int rows = values.length / width;
    ByteBuffer buffer = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.nativeOrder());
    for (float v : values) {
      buffer.putFloat(v);
    }
    buffer.flip();
    byte[][] tags = new byte[rows][];
    for (int r = 0; r < rows; r++) {
      tags[r] = ("t" + values[r * width]).getBytes(StandardCharsets.UTF_8);
    }
    return List.of(
        Tensor.ofBuffer("x", Datatype.FP32, new long[] {rows, width}, buffer),
        Tensor.ofStrings("tag", new long[] {rows}, tags));
  }

  private static float[] values(Map<String, Tensor> result) {
    ByteBuffer y = result.get("y").data();
    float[] out = new float[y.remaining() / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = y.getFloat(i * 4);
    }
    return out;
  }

  private Future<Map<String, Tensor>> submit(DynamicBatcher batcher, List<Tensor> inputs) {
    return callers.submit(() -> batcher.run(inputs, Set.of("y", "tag")));
  }

  /** Waits until the model's first call runs, held by the test model until it is released. */
  private void holdFirstCall(Future<?> first) throws Exception {
    assertThat(model.firstCallStarted.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(first.isDone()).isFalse();
  }

  private static void awaitWaiting(DynamicBatcher batcher, int count) throws InterruptedException {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (batcher.waiting() < count && System.nanoTime() < giveUp) {
      Thread.sleep(2);
    }
    assertThat(batcher.waiting()).isEqualTo(count);
  }

  @Test
  void aLoneRequestRunsAtOnceWithoutWaitingForTheDelay() throws Exception {
    model.release.countDown(); // nothing is held
    DynamicBatcher batcher = batcher(32, HUGE_DELAY_MILLIS, 8);
    Map<String, Tensor> result = submit(batcher, request(1.5f, 2f)).get(2, TimeUnit.SECONDS);
    assertThat(values(result)).containsExactly(3f, 4f);
    assertThat(model.callRows).containsExactly(2L);
  }

  @Test
  void requestsQueuedBehindARunningBatchAreJoinedAndEachGetsItsOwnRows() throws Exception {
    DynamicBatcher batcher = batcher(32, HUGE_DELAY_MILLIS, 64);
    Future<Map<String, Tensor>> first = submit(batcher, request(100f));
    holdFirstCall(first);
    List<Future<Map<String, Tensor>>> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      // request i has i + 1 rows: values 10i, 10i + 1, ...
      float[] rows = new float[i + 1];
      for (int r = 0; r <= i; r++) {
        rows[r] = 10 * i + r;
      }
      queued.add(submit(batcher, request(rows)));
    }
    awaitWaiting(batcher, 5);
    model.release.countDown();

    assertThat(values(first.get(10, TimeUnit.SECONDS))).containsExactly(200f);
    for (int i = 0; i < 5; i++) {
      Map<String, Tensor> answer = queued.get(i).get(10, TimeUnit.SECONDS);
      float[] want = new float[i + 1];
      for (int r = 0; r <= i; r++) {
        want[r] = 2 * (10 * i + r);
      }
      assertThat(values(answer)).as("request %d", i).containsExactly(want);
      assertThat(answer.get("y").shape()).containsExactly(i + 1, 1);
      assertThat(new String(answer.get("tag").strings()[0], StandardCharsets.UTF_8))
          .isEqualTo("t" + (10f * i));
    }
    // one call for the first request, one for the 15 rows that queued behind it
    assertThat(model.callRows).containsExactly(1L, 15L);
  }

  @Test
  void aBatchNeverExceedsMaxBatchSizeRows() throws Exception {
    DynamicBatcher batcher = batcher(4, HUGE_DELAY_MILLIS, 64);
    Future<Map<String, Tensor>> first = submit(batcher, request(1f));
    holdFirstCall(first);
    List<Future<Map<String, Tensor>>> queued = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      queued.add(submit(batcher, request(2f, 3f)));
    }
    model.release.countDown();
    for (Future<Map<String, Tensor>> f : queued) {
      assertThat(values(f.get(10, TimeUnit.SECONDS))).containsExactly(4f, 6f);
    }
    // the first call records its row when released, possibly after the queued ones finished on
    // another inference thread: wait for it too before counting rows (the sum was 12 once)
    assertThat(values(first.get(10, TimeUnit.SECONDS))).containsExactly(2f);
    assertThat(model.callRows).allSatisfy(rows -> assertThat(rows).isLessThanOrEqualTo(4));
    assertThat(model.callRows.stream().mapToLong(Long::longValue).sum()).isEqualTo(13);
  }

  @Test
  void aRequestTheModelCannotRunFailsAloneAndTheOthersSucceed() throws Exception {
    DynamicBatcher batcher = batcher(32, HUGE_DELAY_MILLIS, 64);
    Future<Map<String, Tensor>> first = submit(batcher, request(1f));
    holdFirstCall(first);
    Future<Map<String, Tensor>> good1 = submit(batcher, request(5f));
    Future<Map<String, Tensor>> bad = submit(batcher, request(7f, -1f));
    Future<Map<String, Tensor>> good2 = submit(batcher, request(6f, 8f));
    awaitWaiting(batcher, 3);
    model.release.countDown();

    assertThat(values(good1.get(10, TimeUnit.SECONDS))).containsExactly(10f);
    assertThat(values(good2.get(10, TimeUnit.SECONDS))).containsExactly(12f, 16f);
    assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseInstanceOf(IllegalArgumentException.class)
        .hasRootCauseMessage("negative input -1.0");
  }

  @Test
  void requestsWithOtherNonBatchDimensionsGoInAnotherBatch() throws Exception {
    DynamicBatcher batcher = batcher(32, HUGE_DELAY_MILLIS, 64);
    Future<Map<String, Tensor>> first = submit(batcher, request(1f));
    holdFirstCall(first);
    Future<Map<String, Tensor>> wide = submit(batcher, request(2, 1f, 2f));
    Future<Map<String, Tensor>> narrow = submit(batcher, request(3f));
    Future<Map<String, Tensor>> wide2 = submit(batcher, request(2, 3f, 4f, 5f, 6f));
    awaitWaiting(batcher, 3);
    model.release.countDown();
    assertThat(values(wide.get(10, TimeUnit.SECONDS))).containsExactly(2f, 4f);
    assertThat(values(narrow.get(10, TimeUnit.SECONDS))).containsExactly(6f);
    assertThat(values(wide2.get(10, TimeUnit.SECONDS))).containsExactly(6f, 8f, 10f, 12f);
    assertThat(model.callRows).containsExactlyInAnyOrder(1L, 3L, 1L);
  }

  @Test
  void aFullQueueIsRefusedWith503AndRetryAfter() throws Exception {
    DynamicBatcher batcher = batcher(32, HUGE_DELAY_MILLIS, 2);
    Future<Map<String, Tensor>> first = submit(batcher, request(1f));
    holdFirstCall(first);
    Future<Map<String, Tensor>> second = submit(batcher, request(2f));
    Future<Map<String, Tensor>> third = submit(batcher, request(3f));
    awaitWaiting(batcher, 2);
    assertThatThrownBy(() -> batcher.run(request(4f), Set.of("y")))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.retryAfterSeconds()).isEqualTo(1);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "model 'double' version 'v1' has 2 requests waiting for a batch; retry"
                          + " later");
            });
    model.release.countDown();
    assertThat(values(second.get(10, TimeUnit.SECONDS))).containsExactly(4f);
    assertThat(values(third.get(10, TimeUnit.SECONDS))).containsExactly(6f);
  }

  @Test
  void inputsThatDisagreeOnTheBatchDimensionAreABadRequest() {
    model.release.countDown();
    DynamicBatcher batcher = batcher(32, 0, 8);
    List<Tensor> inputs =
        List.of(
            request(1f, 2f).get(0), Tensor.ofStrings("tag", new long[] {1}, new byte[][] {{'a'}}));
    assertThatThrownBy(() -> batcher.run(inputs, Set.of("y")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("input 'x' has 2 rows, input 'tag' has 1");
  }

  @Test
  void concatenatesAndSplitsAlongTheFirstDimension() {
    List<Tensor> joined =
        BatchTensors.concat(
            List.of(request(2, 1f, 2f), request(2, 3f, 4f, 5f, 6f)), BatchPadding.NONE);
    assertThat(joined.get(0).shape()).containsExactly(3, 2);
    assertThat(joined.get(0).rawData().isDirect()).isTrue();
    assertThat(joined.get(0).data().getFloat(5 * 4)).isEqualTo(6f);
    assertThat(joined.get(1).shape()).containsExactly(3);

    Map<String, Tensor> outputs = new LinkedHashMap<>();
    outputs.put("y", joined.get(0));
    outputs.put("tag", joined.get(1));
    List<Map<String, Tensor>> split =
        BatchTensors.split(outputs, new long[] {1, 2}, List.of(Set.of("y"), Set.of("y", "tag")));
    assertThat(split.get(0)).containsOnlyKeys("y");
    assertThat(values(split.get(0))).containsExactly(1f, 2f);
    assertThat(values(split.get(1))).containsExactly(3f, 4f, 5f, 6f);
    assertThat(split.get(1).get("tag").strings()).hasNumberOfRows(2);

    assertThatThrownBy(() -> BatchTensors.split(outputs, new long[] {1, 1}, List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not 2 rows as the batch has");
  }

  /** y = 2x (FP32 [-1, -1]); tag = the BYTES input; refuses negative inputs; can hold a call. */
  private static final class DoublingModel implements ModelSession {
    final CountDownLatch firstCallStarted = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<Long> callRows = new CopyOnWriteArrayList<>();

    @Override
    public String platform() {
      return "test";
    }

    @Override
    public List<TensorSpec> inputs() {
      return List.of(
          new TensorSpec("x", Datatype.FP32, new long[] {-1, -1}),
          new TensorSpec("tag", Datatype.BYTES, new long[] {-1}));
    }

    @Override
    public List<TensorSpec> outputs() {
      return List.of(
          new TensorSpec("y", Datatype.FP32, new long[] {-1, -1}),
          new TensorSpec("tag", Datatype.BYTES, new long[] {-1}));
    }

    @Override
    public Map<String, Tensor> run(List<Tensor> inputs, Set<String> outputNames)
        throws InterruptedException {
      firstCallStarted.countDown();
      if (!release.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the model");
      }
      Tensor x = inputs.get(0);
      callRows.add(x.dim(0));
      ByteBuffer in = x.data();
      ByteBuffer out = ByteBuffer.allocate(in.remaining()).order(ByteOrder.nativeOrder());
      while (in.hasRemaining()) {
        float v = in.getFloat();
        if (v < 0) {
          throw new IllegalArgumentException("negative input " + v);
        }
        out.putFloat(2 * v);
      }
      out.flip();
      Map<String, Tensor> result = new LinkedHashMap<>();
      result.put("y", Tensor.ofBuffer("y", Datatype.FP32, x.shape(), out));
      result.put("tag", inputs.get(1));
      return result;
    }

    @Override
    public void close() {}
  }
}
