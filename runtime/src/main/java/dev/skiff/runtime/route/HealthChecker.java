package dev.skiff.runtime.route;

import dev.skiff.api.contract.RuntimeHttp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Polls every version's {@code GET /health/ready} (all versions at once, each with a short timeout)
 * so only ready backends get traffic. 200 makes a version ready; another status or a connection
 * error makes it not ready at once. A timeout takes a ready version out only when the check before
 * also timed out: a backend saturated by its own traffic answers late but is alive, and taking the
 * only one out would turn slow answers into 503s. A version is therefore taken out of rotation at
 * most {@code 2 × interval + timeout} after it stops answering (at once when it refuses
 * connections), and put back within one interval after it is ready again. Each check result is
 * keyed by version name and URL, so a version whose URL changes in the config starts again as not
 * ready.
 */
final class HealthChecker implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(HealthChecker.class.getName());

  private final HttpClient client;
  private final Supplier<RouterConfig> config;
  private final Runnable onChange;
  private final Duration interval;
  private final Duration timeout;
  private final Map<String, BackendState> states = new ConcurrentHashMap<>();
  private final Semaphore wakeUp = new Semaphore(0);
  private final Thread thread;
  private volatile boolean closed;

  HealthChecker(
      HttpClient client,
      Supplier<RouterConfig> config,
      Runnable onChange,
      Duration interval,
      Duration timeout) {
    this.client = client;
    this.config = config;
    this.onChange = onChange;
    this.interval = interval;
    this.timeout = timeout;
    this.thread = Thread.ofPlatform().name("skiff-router-health").daemon(true).unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  /** Checks at once instead of at the next interval (after a config change). */
  void checkSoon() {
    wakeUp.release();
  }

  /** The last known state of a version, {@link BackendState#unknown()} before its first check. */
  BackendState state(RouterConfig.Version version) {
    return states.getOrDefault(key(version), BackendState.unknown());
  }

  boolean isReady(RouterConfig.Version version) {
    return state(version).ready();
  }

  private void run() {
    while (!closed) {
      try {
        checkAll();
        wakeUp.tryAcquire(interval.toMillis(), TimeUnit.MILLISECONDS);
        wakeUp.drainPermits();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warning("health check round failed: " + e);
      }
    }
  }

  /** One round: every version checked concurrently; listeners told once if anything changed. */
  void checkAll() {
    List<RouterConfig.Version> versions = config.get().versions();
    Map<RouterConfig.Version, CompletableFuture<Check>> checks = new HashMap<>();
    for (RouterConfig.Version version : versions) {
      checks.put(version, check(version.url()));
    }
    boolean changed = false;
    for (RouterConfig.Version version : versions) {
      Check check = checks.get(version).join();
      String problem = check.problem();
      boolean known = states.containsKey(key(version));
      BackendState before = state(version);
      int timeouts = check.timedOut() ? before.timeoutsInARow() + 1 : 0;
      boolean ready = problem.isEmpty() || (before.ready() && timeouts == 1);
      if (known && before.ready() == ready) {
        if (!problem.isEmpty() && ready) {
          LOG.fine(() -> "version '" + version.name() + "' stays ready once more: " + problem);
        }
        String detail = ready ? before.detail() : problem;
        states.put(key(version), new BackendState(ready, detail, before.since(), timeouts));
      } else {
        changed = true;
        states.put(key(version), new BackendState(ready, problem, Instant.now(), timeouts));
        LOG.info(
            "version '"
                + version.name()
                + "' at "
                + version.url()
                + (ready ? " is ready" : " is not ready: " + problem));
      }
    }
    states.keySet().retainAll(versions.stream().map(HealthChecker::key).toList());
    if (changed) {
      onChange.run();
    }
  }

  /** One check's outcome: {@code problem} is empty when the version answered ready. */
  private record Check(String problem, boolean timedOut) {}

  /** Never fails. */
  private CompletableFuture<Check> check(URI base) {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(RuntimeHttp.HEALTH_READY))
            .timeout(timeout)
            .GET()
            .build();
    return client
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .orTimeout(timeout.toMillis() * 2, TimeUnit.MILLISECONDS)
        .handle(
            (response, error) -> {
              if (error == null) {
                return new Check(
                    response.statusCode() == 200
                        ? ""
                        : RuntimeHttp.HEALTH_READY + " answered " + response.statusCode(),
                    false);
              }
              Throwable cause = error.getCause() != null ? error.getCause() : error;
              if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
                return new Check(
                    RuntimeHttp.HEALTH_READY
                        + " did not answer within "
                        + timeout.toMillis()
                        + " ms",
                    true);
              }
              if (cause instanceof IOException) {
                return new Check("cannot connect: " + cause, false);
              }
              return new Check("check failed: " + cause, false);
            });
  }

  private static String key(RouterConfig.Version version) {
    return version.name() + " " + version.url();
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
