package dev.skiff.runtime.route;

import dev.skiff.api.contract.TrafficShares;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the router does right now: the config in effect, which versions are ready, and the chooser
 * that splits unpinned traffic over the ready versions by the contract's redistribution rule
 * ({@link TrafficShares}: a not-ready version's share is spread over the others in proportion, in
 * whole percents), the same rule and the same numbers the operator puts into the status. Immutable
 * apart from the chooser's round-robin position; a config change or a readiness change builds a new
 * table, swapped in atomically by {@link Router}.
 */
final class RoutingTable {
  private final RouterConfig config;
  private final Set<String> ready;
  private final Map<String, Integer> effective;
  private final WeightedChooser chooser;

  RoutingTable(RouterConfig config, Set<String> ready) {
    this.config = config;
    this.ready = Set.copyOf(ready);
    Map<String, Integer> declared = new LinkedHashMap<>();
    config.versions().forEach(v -> declared.put(v.name(), v.weight()));
    this.effective = TrafficShares.effective(declared, this.ready);
    this.chooser =
        new WeightedChooser(List.copyOf(effective.keySet()), List.copyOf(effective.values()));
  }

  RouterConfig config() {
    return config;
  }

  boolean isReady(String version) {
    return ready.contains(version);
  }

  boolean anyReady() {
    return !ready.isEmpty();
  }

  /** The version for the next unpinned request, or empty when no ready version has a weight. */
  Optional<String> choose() {
    return chooser.next();
  }

  /** Another ready version with a weight, for a retry; empty when there is none. */
  Optional<String> chooseExcluding(String failed) {
    return chooser.nextExcluding(failed);
  }

  /** Percent of unpinned traffic the version gets now (0 for a version not in the config). */
  double effectiveWeight(String version) {
    return effective.getOrDefault(version, 0);
  }
}
