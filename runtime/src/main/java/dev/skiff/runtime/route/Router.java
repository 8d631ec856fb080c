package dev.skiff.runtime.route;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds the routing table in effect and rebuilds it whenever the config or a version's readiness
 * changes. Readers take {@link #table()} once per request and use that snapshot throughout, so a
 * swap in the middle of a request never mixes two configs.
 */
final class Router {
  private final AtomicReference<RouterConfig> config = new AtomicReference<>();
  private final AtomicReference<RoutingTable> table = new AtomicReference<>();
  private final RouterMetrics metrics;
  private volatile HealthChecker health;

  Router(RouterMetrics metrics) {
    this.metrics = metrics;
  }

  /** Connects the health checker; until then every version counts as not ready. */
  void health(HealthChecker checker) {
    this.health = checker;
    rebuild();
  }

  RoutingTable table() {
    return table.get();
  }

  RouterConfig config() {
    return config.get();
  }

  BackendState state(RouterConfig.Version version) {
    HealthChecker checker = health;
    return checker == null ? BackendState.unknown() : checker.state(version);
  }

  /** A new valid config: takes effect at once for versions already known to be ready. */
  void configure(RouterConfig newConfig) {
    config.set(newConfig);
    rebuild();
    HealthChecker checker = health;
    if (checker != null) {
      checker.checkSoon();
    }
  }

  /** Builds the table from the current config and readiness; serialized so no update is lost. */
  synchronized void rebuild() {
    RouterConfig current = config.get();
    if (current == null) {
      return;
    }
    Set<String> ready = new HashSet<>();
    for (RouterConfig.Version version : current.versions()) {
      if (state(version).ready()) {
        ready.add(version.name());
      }
    }
    RoutingTable next = new RoutingTable(current, ready);
    table.set(next);
    metrics.table(next);
  }
}
