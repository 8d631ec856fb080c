package dev.skiff.operator.e2e;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bounded load: {@code clients} threads each send one request after another until {@code
 * maxRequests} were sent, {@code maxDuration} passed or {@link #stop()} is called, optionally paced
 * to a total rate. Every answer is counted by the version that gave it ({@code X-Model-Version},
 * else the V2 body's {@code model_version}); anything but 200 is a failure, counted by reason.
 */
final class Load implements AutoCloseable {

  private static final Pattern MODEL_VERSION = Pattern.compile("\"model_version\":\"([^\"]+)\"");
  private static final int EXAMPLES = 10;

  /** What a load saw. */
  record Result(
      long sent,
      long ok,
      Map<String, Long> byVersion,
      Map<String, Long> failures,
      List<String> failureExamples,
      Duration elapsed) {

    long failed() {
      return sent - ok;
    }

    /** Share of the successful answers that {@code version} gave, in percent. */
    double percent(String version) {
      return ok == 0 ? 0 : 100.0 * byVersion.getOrDefault(version, 0L) / ok;
    }

    double requestsPerSecond() {
      return elapsed.isZero() ? 0 : sent * 1000.0 / elapsed.toMillis();
    }

    String summary() {
      return String.format(
          "%d requests in %.1f s (%.0f/s), %d failed %s, by version %s",
          sent, elapsed.toMillis() / 1000.0, requestsPerSecond(), failed(), failures, byVersion);
    }
  }

  private final HttpClient http;
  private final Supplier<HttpRequest> requests;
  private final long maxRequests;
  private final long deadlineNanos;
  private final long intervalNanos;
  private final AtomicLong issued = new AtomicLong();
  private final AtomicLong nextSlot = new AtomicLong(System.nanoTime());
  private final LongAdder ok = new LongAdder();
  private final Map<String, LongAdder> byVersion = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final List<String> examples = new ArrayList<>();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private volatile long endNanos;

  private Load(
      HttpClient http,
      Supplier<HttpRequest> requests,
      long maxRequests,
      Duration maxDuration,
      double ratePerSecond) {
    this.http = http;
    this.requests = requests;
    this.maxRequests = maxRequests;
    this.deadlineNanos = startNanos + maxDuration.toNanos();
    this.intervalNanos = ratePerSecond > 0 ? (long) (1e9 / ratePerSecond) : 0;
  }

  /** Starts {@code clients} senders; unpaced when {@code ratePerSecond} is 0. */
  static Load start(
      String name,
      HttpClient http,
      Supplier<HttpRequest> requests,
      int clients,
      long maxRequests,
      Duration maxDuration,
      double ratePerSecond) {
    Load load = new Load(http, requests, maxRequests, maxDuration, ratePerSecond);
    for (int i = 0; i < clients; i++) {
      Thread t = new Thread(load::run, "load-" + name + "-" + i);
      t.setDaemon(true);
      load.threads.add(t);
      t.start();
    }
    return load;
  }

  private void run() {
    while (!stopped.get() && System.nanoTime() < deadlineNanos) {
      if (issued.incrementAndGet() > maxRequests) {
        issued.decrementAndGet();
        return;
      }
      pace();
      send();
    }
  }

  private void pace() {
    if (intervalNanos == 0) {
      return;
    }
    long slot = nextSlot.getAndAdd(intervalNanos);
    long wait = slot - System.nanoTime();
    if (wait > 0) {
      LockSupport.parkNanos(wait);
    }
  }

  private void send() {
    try {
      HttpResponse<String> response =
          http.send(requests.get(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        ok.increment();
        byVersion.computeIfAbsent(versionOf(response), v -> new LongAdder()).increment();
      } else {
        fail("HTTP " + response.statusCode(), response.body());
      }
    } catch (IOException e) {
      fail(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted", "");
      stopped.set(true);
    }
  }

  private static String versionOf(HttpResponse<String> response) {
    return response
        .headers()
        .firstValue("X-Model-Version")
        .orElseGet(
            () -> {
              Matcher m = MODEL_VERSION.matcher(response.body());
              return m.find() ? m.group(1) : "unknown";
            });
  }

  private void fail(String reason, String detail) {
    failures.computeIfAbsent(reason, r -> new LongAdder()).increment();
    synchronized (examples) {
      if (examples.size() < EXAMPLES) {
        examples.add(String.format("at %.1f s %s: %s", elapsedSeconds(), reason, detail.strip()));
      }
    }
  }

  /** Seconds since the load started: failure examples carry it, to line up with a timeline. */
  double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** Requests answered so far (successfully or not). */
  long answered() {
    return ok.sum() + failures.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Waits until every sender finished (count or deadline reached), then reports. */
  Result awaitCompletion() {
    for (Thread t : threads) {
      try {
        t.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000 + 60_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return result();
  }

  /** Stops sending (requests in flight finish) and reports. */
  Result stop() {
    stopped.set(true);
    return awaitCompletion();
  }

  private synchronized Result result() {
    if (endNanos == 0) {
      endNanos = System.nanoTime();
    }
    Map<String, Long> versions = new TreeMap<>();
    byVersion.forEach((v, n) -> versions.put(v, n.sum()));
    Map<String, Long> failed = new TreeMap<>();
    failures.forEach((r, n) -> failed.put(r, n.sum()));
    long okCount = ok.sum();
    long sent = okCount + failed.values().stream().mapToLong(Long::longValue).sum();
    synchronized (examples) {
      return new Result(
          sent,
          okCount,
          versions,
          failed,
          List.copyOf(examples),
          Duration.ofNanos(endNanos - startNanos));
    }
  }

  @Override
  public void close() {
    stop();
  }
}
