package dev.skiff.runtime.execution;

import dev.skiff.runtime.backend.ModelSession;
import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.web.ApiException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Dynamic batching for one model version: concurrent requests are joined along the batch dimension
 * into one model call on the {@link InferenceExecutor}, and each caller gets its own rows back.
 *
 * <p>The policy never delays a request without a reason. A batch is sent at once when nothing of
 * this version is running (whatever is queued right now goes together, so a lone request runs alone
 * and immediately), when {@code maxBatchSize} rows are waiting, or when the oldest waiting request
 * has waited {@code maxDelay}. Otherwise, while a batch is running, requests wait for it to finish
 * (its completion sends the next batch) or for their delay, whichever comes first: that is where
 * batches grow under load.
 *
 * <p>No thread of its own: each waiting caller (a virtual thread) wakes at its own deadline and
 * sends what is due, and a finishing batch sends the next one. Requests are only joined with others
 * of the same non-batch dimensions, except the last dimension of the inputs {@link BatchPadding}
 * names, which is padded to the batch's longest. When a joined call fails, its requests are run one
 * by one so that a request the model cannot run fails alone.
 */
public final class DynamicBatcher implements VersionRunner {
  private static final Logger LOG = Logger.getLogger(DynamicBatcher.class.getName());

  private final String model;
  private final String version;
  private final ModelSession session;
  private final int maxBatchSize;
  private final long maxDelayNanos;
  private final int capacity;
  private final InferenceExecutor executor;
  private final RuntimeMetrics metrics;
  private final BatchPadding padding;

  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private int waiting;
  private int running;

  /**
   * @param capacity requests that may wait for a batch before further ones get 503
   * @param padding the inputs whose last dimension may differ within a batch
   */
  public DynamicBatcher(
      String model,
      String version,
      ModelSession session,
      int maxBatchSize,
      long maxDelayMillis,
      int capacity,
      InferenceExecutor executor,
      RuntimeMetrics metrics,
      BatchPadding padding) {
    if (maxBatchSize < 1 || maxDelayMillis < 0 || capacity < 1) {
      throw new IllegalArgumentException(
          "maxBatchSize and capacity must be >= 1 and maxDelayMillis >= 0");
    }
    this.model = model;
    this.version = version;
    this.session = session;
    this.maxBatchSize = maxBatchSize;
    this.maxDelayNanos = TimeUnit.MILLISECONDS.toNanos(maxDelayMillis);
    this.capacity = capacity;
    this.executor = executor;
    this.metrics = metrics;
    this.padding = padding;
  }

  /**
   * Runs one validated request as part of a batch and waits for its rows.
   *
   * @param inputs one tensor per model input, in the model's input order, rank >= 1
   * @param outputs the outputs this request wants
   * @throws ApiException 400 when the inputs disagree on the batch dimension, 503 when the queue is
   *     full
   */
  @Override
  public Map<String, Tensor> run(List<Tensor> inputs, Set<String> outputs) throws Exception {
    Pending request = new Pending(inputs, outputs, rowsOf(inputs), shapeKey(inputs));
    lock.lock();
    try {
      if (waiting >= capacity) {
        throw ApiException.overloaded(
            "model '"
                + model
                + "' version '"
                + version
                + "' has "
                + waiting
                + " requests waiting for a batch; retry later",
            1);
      }
      groups.computeIfAbsent(request.key, k -> new Group()).add(request);
      waiting++;
    } finally {
      lock.unlock();
    }
    dispatch();
    return await(request);
  }

  /** Requests waiting for a batch now (for tests and diagnostics). */
  public int waiting() {
    lock.lock();
    try {
      return waiting;
    } finally {
      lock.unlock();
    }
  }

  private Map<String, Tensor> await(Pending request) throws Exception {
    try {
      try {
        return request.result.get(request.deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        dispatch(); // this request's delay is over: send what is due, then wait for the answer
        return request.result.get();
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    } catch (InterruptedException e) {
      withdraw(request);
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("the request was interrupted (server shutting down)");
    }
  }

  /** Takes every batch that is due off the queues and hands each to the executor. */
  private void dispatch() {
    List<List<Pending>> batches = new ArrayList<>();
    lock.lock();
    try {
      long now = System.nanoTime();
      for (Iterator<Group> it = groups.values().iterator(); it.hasNext(); ) {
        Group group = it.next();
        while (!group.isEmpty()
            && (running == 0 || group.rows >= maxBatchSize || group.oldestDeadline() - now <= 0)) {
          List<Pending> batch = group.take(maxBatchSize);
          waiting -= batch.size();
          running++;
          batches.add(batch);
        }
        if (group.isEmpty()) {
          it.remove();
        }
      }
    } finally {
      lock.unlock();
    }
    for (List<Pending> batch : batches) {
      try {
        executor.submit(() -> runBatch(batch));
      } catch (ApiException e) { // the executor's queue is full
        finished();
        batch.forEach(p -> p.result.completeExceptionally(e));
      }
    }
  }

  private void runBatch(List<Pending> batch) {
    long started = System.nanoTime();
    try {
      metrics.queueDepth(executor.queued());
      for (Pending p : batch) {
        metrics.queued(model, version, (started - p.enqueued) / 1e9);
      }
      if (batch.size() == 1) {
        runAlone(batch.get(0));
        return;
      }
      List<Map<String, Tensor>> answers;
      try {
        answers = runJoined(batch);
      } catch (Exception e) {
        LOG.log(
            Level.FINE,
            "a batch of " + batch.size() + " failed; running its requests one by one",
            e);
        batch.forEach(this::runAlone);
        return;
      }
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result.complete(answers.get(i));
      }
    } catch (Throwable t) {
      batch.forEach(p -> p.result.completeExceptionally(t));
      throw t;
    } finally {
      finished();
      dispatch();
    }
  }

  private List<Map<String, Tensor>> runJoined(List<Pending> batch) throws Exception {
    List<List<Tensor>> inputs = new ArrayList<>(batch.size());
    Set<String> outputs = new LinkedHashSet<>();
    long[] rows = new long[batch.size()];
    List<Set<String>> wanted = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      inputs.add(p.inputs);
      outputs.addAll(p.outputs);
      rows[i] = p.rows;
      wanted.add(p.outputs);
    }
    List<Tensor> joined = BatchTensors.concat(inputs, padding);
    long started = System.nanoTime();
    Map<String, Tensor> results = session.run(joined, outputs);
    metrics.batchFinished(model, version, Arrays.stream(rows).sum(), seconds(started));
    return BatchTensors.split(results, rows, wanted);
  }

  private void runAlone(Pending p) {
    try {
      long started = System.nanoTime();
      Map<String, Tensor> results = session.run(p.inputs, p.outputs);
      metrics.batchFinished(model, version, p.rows, seconds(started));
      p.result.complete(results);
    } catch (Exception e) {
      p.result.completeExceptionally(e);
    }
  }

  private void finished() {
    lock.lock();
    try {
      running--;
    } finally {
      lock.unlock();
    }
  }

  private void withdraw(Pending request) {
    lock.lock();
    try {
      Group group = groups.get(request.key);
      if (group != null && group.remove(request)) {
        waiting--;
        if (group.isEmpty()) {
          groups.remove(request.key);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  /** The batch dimension every input shares; a request whose inputs disagree cannot be joined. */
  private static long rowsOf(List<Tensor> inputs) {
    long rows = inputs.get(0).dim(0);
    for (Tensor t : inputs) {
      if (t.dim(0) != rows) {
        throw ApiException.badRequest(
            "inputs must agree on the batch (first) dimension for a model with dynamic batching:"
                + " input '"
                + inputs.get(0).name()
                + "' has "
                + rows
                + " rows, input '"
                + t.name()
                + "' has "
                + t.dim(0));
      }
    }
    return rows;
  }

  /**
   * Requests join only requests whose inputs agree on every dimension after the first, but for the
   * last dimension of a padded input (rank 2 or more).
   */
  private String shapeKey(List<Tensor> inputs) {
    StringBuilder key = new StringBuilder();
    for (Tensor t : inputs) {
      long[] shape = t.shape();
      int end = shape.length > 1 && padding.pads(t.name()) ? shape.length - 1 : shape.length;
      key.append(t.datatype())
          .append(Arrays.toString(Arrays.copyOfRange(shape, 1, end)))
          .append(';');
    }
    return key.toString();
  }

  /** A request waiting for its batch. */
  private final class Pending {
    final List<Tensor> inputs;
    final Set<String> outputs;
    final long rows;
    final String key;
    final long enqueued = System.nanoTime();
    final long deadline = enqueued + maxDelayNanos;
    final CompletableFuture<Map<String, Tensor>> result = new CompletableFuture<>();

    Pending(List<Tensor> inputs, Set<String> outputs, long rows, String key) {
      this.inputs = inputs;
      this.outputs = outputs;
      this.rows = rows;
      this.key = key;
    }
  }

  /** Waiting requests with the same non-batch dimensions, oldest first. */
  private static final class Group {
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    long rows;

    void add(Pending p) {
      queue.add(p);
      rows += p.rows;
    }

    boolean remove(Pending p) {
      if (queue.remove(p)) {
        rows -= p.rows;
        return true;
      }
      return false;
    }

    boolean isEmpty() {
      return queue.isEmpty();
    }

    long oldestDeadline() {
      return queue.getFirst().deadline;
    }

    /** The oldest requests that fit in {@code maxRows}; at least one, even if it is larger. */
    List<Pending> take(int maxRows) {
      List<Pending> batch = new ArrayList<>();
      long taken = 0;
      while (!queue.isEmpty()) {
        Pending next = queue.getFirst();
        if (!batch.isEmpty() && taken + next.rows > maxRows) {
          break;
        }
        queue.removeFirst();
        batch.add(next);
        taken += next.rows;
      }
      rows -= taken;
      return batch;
    }
  }
}
