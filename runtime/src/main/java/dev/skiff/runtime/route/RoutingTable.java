package dev.skiff.runtime.route;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the router does right now: the config in effect, which versions are ready, and the chooser
 * that splits unpinned traffic over the ready versions by their declared weights (so a not-ready
 * version's share is spread over the others in proportion). Immutable apart from the chooser's
 * round-robin position; a config change or a readiness change builds a new table, swapped in
 * atomically by {@link Router}.
 */
final class RoutingTable {
  private final RouterConfig config;
  private final Set<String> ready;
  private final int readyWeight;
  private final WeightedChooser chooser;

  RoutingTable(RouterConfig config, Set<String> ready) {
    this.config = config;
    this.ready = Set.copyOf(ready);
    List<RouterConfig.Version> versions = config.versions();
    this.chooser =
        new WeightedChooser(
            versions.stream().map(RouterConfig.Version::name).toList(),
            versions.stream().map(v -> this.ready.contains(v.name()) ? v.weight() : 0).toList());
    this.readyWeight =
        versions.stream()
            .filter(v -> this.ready.contains(v.name()))
            .mapToInt(RouterConfig.Version::weight)
            .sum();
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

  /** Percent of unpinned traffic the version gets now: its declared share among ready versions. */
  double effectiveWeight(String version) {
    if (!ready.contains(version) || readyWeight == 0) {
      return 0;
    }
    return config.version(version).map(v -> 100.0 * v.weight() / readyWeight).orElse(0.0);
  }
}
