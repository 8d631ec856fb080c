package dev.skiff.runtime.execution;

import dev.skiff.runtime.web.ApiException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs model calls on a small pool of platform threads with a bounded queue. Backends call native
 * code (JNI), which pins a virtual thread to its carrier; running them on the request's virtual
 * thread could stall every HTTP handler on a small machine. A full queue is answered at once with
 * 503 and Retry-After rather than queueing without bound.
 */
public final class InferenceExecutor implements AutoCloseable {
  private final ThreadPoolExecutor pool;
  private final int threads;
  private final int queueCapacity;

  public InferenceExecutor(int threads, int queueCapacity) {
    if (threads < 1 || queueCapacity < 1) {
      throw new IllegalArgumentException("threads and queue capacity must be >= 1");
    }
    this.threads = threads;
    this.queueCapacity = queueCapacity;
    AtomicInteger counter = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(queueCapacity),
            r -> {
              Thread t = new Thread(r, "skiff-inference-" + counter.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    pool.prestartAllCoreThreads();
  }

  /**
   * Runs {@code task} on an inference thread and waits for it.
   *
   * @throws ApiException 503 when the queue is full
   */
  public <T> T execute(Callable<T> task) throws Exception {
    Future<T> future;
    try {
      future = pool.submit(task);
    } catch (RejectedExecutionException e) {
      throw atCapacity();
    }
    try {
      return future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("the request was interrupted (server shutting down)");
    }
  }

  /**
   * Queues {@code task} for an inference thread without waiting for it (the dynamic batcher
   * completes its callers itself).
   *
   * @throws ApiException 503 when the queue is full
   */
  public void submit(Runnable task) {
    try {
      pool.execute(task);
    } catch (RejectedExecutionException e) {
      throw atCapacity();
    }
  }

  private ApiException atCapacity() {
    return ApiException.overloaded(
        "the server is at capacity ("
            + threads
            + " inference threads busy, "
            + queueCapacity
            + " requests queued); retry later",
        1);
  }

  public int queueCapacity() {
    return queueCapacity;
  }

  public int queued() {
    return pool.getQueue().size();
  }

  public int threads() {
    return threads;
  }

  @Override
  public void close() {
    pool.shutdown();
    try {
      if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
