package dev.skiff.runtime.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.runtime.web.ApiException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InferenceExecutorTest {

  @Test
  void fullQueueIsRejectedAt503WithRetryAfter() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    try (InferenceExecutor executor = new InferenceExecutor(1, 1);
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      var first =
          callers.submit(
              () ->
                  executor.execute(
                      () -> {
                        running.countDown();
                        return release.await(10, TimeUnit.SECONDS);
                      }));
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      var queued = callers.submit(() -> executor.execute(() -> "second"));
      while (executor.queued() == 0) {
        Thread.sleep(5);
      }
      assertThatThrownBy(() -> executor.execute(() -> "third"))
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.status()).isEqualTo(503);
                assertThat(e.retryAfterSeconds()).isEqualTo(1);
                assertThat(e.getMessage()).contains("at capacity");
              });
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(true);
      assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("second");
    }
  }

  @Test
  void taskExceptionsReachTheCaller() {
    try (InferenceExecutor executor = new InferenceExecutor(1, 4)) {
      assertThatThrownBy(
              () ->
                  executor.execute(
                      () -> {
                        throw new IllegalStateException("boom");
                      }))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("boom");
    }
  }
}
