package dev.skiff.operator.traffic;

import dev.skiff.api.contract.TrafficShares;
import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelVersion;
import dev.skiff.api.v1alpha1.Traffic;
import dev.skiff.api.v1alpha1.VersionStatus;
import dev.skiff.operator.spec.Versions;
import dev.skiff.operator.traffic.TrafficPlan.RoutedVersion;
import dev.skiff.operator.traffic.TrafficPlan.Routing;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Decides the traffic plan from the spec, the previous status (drain start times) and what the
 * cluster shows. The drain state machine of a removed version: its Deployment still exists, so it
 * is <em>draining</em> with weight 0; its drain period starts once that weight 0 is applied while
 * another version is ready to take the traffic (until then it keeps serving), and when the period
 * is over it is left out of the plan, so its children are deleted.
 */
public final class TrafficPlanner {

  private TrafficPlanner() {}

  /**
   * What the cluster shows.
   *
   * @param readyReplicas ready replicas of every version that has a Deployment, spec or not
   * @param routerAvailable whether the router Deployment has a ready replica
   * @param gatewayApiInstalled whether the HTTPRoute CRD is installed
   */
  public record Observed(
      Map<String, Integer> readyReplicas, boolean routerAvailable, boolean gatewayApiInstalled) {}

  public static TrafficPlan plan(ModelDeployment md, Observed observed, Instant now) {
    List<ModelVersion> spec = Versions.of(md);
    Map<String, Integer> declared = new LinkedHashMap<>();
    for (ModelVersion v : spec) {
      declared.put(v.getName(), Versions.weight(md, v));
    }
    Set<String> removed = new TreeSet<>(observed.readyReplicas().keySet());
    removed.removeAll(declared.keySet());
    Set<String> ready =
        observed.readyReplicas().entrySet().stream()
            .filter(e -> e.getValue() != null && e.getValue() >= 1)
            .map(Map.Entry::getKey)
            .collect(Collectors.toSet());

    Map<String, Integer> withRemoved = new LinkedHashMap<>(declared);
    removed.forEach(r -> withRemoved.put(r, 0));
    boolean replacementReady =
        declared.entrySet().stream().anyMatch(e -> e.getValue() > 0 && ready.contains(e.getKey()));
    Map<String, Integer> effective;
    if (replacementReady) {
      effective = TrafficShares.effective(withRemoved, ready);
    } else {
      // nothing in the spec can take traffic yet: ready removed versions keep serving, equally
      Map<String, Integer> keepServing = new LinkedHashMap<>();
      withRemoved.keySet().forEach(n -> keepServing.put(n, removed.contains(n) ? 1 : 0));
      effective = TrafficShares.effective(keepServing, ready);
    }

    Map<String, Instant> previousStarts = previousDrainStarts(md);
    Duration drain = Duration.ofSeconds(drainSeconds(md));
    Instant second = now.truncatedTo(ChronoUnit.SECONDS);
    List<RoutedVersion> versions = new ArrayList<>();
    for (ModelVersion v : spec) {
      String name = v.getName();
      versions.add(
          new RoutedVersion(
              name, declared.get(name), effective.get(name), ready.contains(name), false, null));
    }
    Optional<Duration> recheck = Optional.empty();
    for (String name : removed) {
      Instant since = null;
      if (effective.get(name) == 0) {
        since = previousStarts.getOrDefault(name, second);
        Duration left = Duration.between(now, since.plus(drain));
        if (left.isNegative() || left.isZero()) {
          continue; // drained: its children go
        }
        recheck = Optional.of(recheck.map(r -> r.compareTo(left) < 0 ? r : left).orElse(left));
      }
      versions.add(
          new RoutedVersion(name, 0, effective.get(name), ready.contains(name), true, since));
    }

    boolean anyEffective = versions.stream().anyMatch(v -> v.effectiveWeight() > 0);
    Map<String, Integer> configWeights = new LinkedHashMap<>();
    for (RoutedVersion v : versions) {
      configWeights.put(v.name(), anyEffective ? v.effectiveWeight() : v.declaredWeight());
    }

    Traffic traffic = md.getSpec() == null ? null : md.getSpec().getTraffic();
    boolean gatewayWanted =
        traffic != null
            && traffic.getGateway() != null
            && traffic.getGateway().getParentRefs() != null
            && !traffic.getGateway().getParentRefs().isEmpty();
    boolean mirror = traffic != null && traffic.getMirror() != null;
    Routing routing;
    if (gatewayWanted && observed.gatewayApiInstalled()) {
      routing = Routing.HTTP_ROUTE;
    } else if (versions.size() >= 2 || mirror) {
      routing = Routing.ROUTER;
    } else {
      routing = Routing.SERVICE;
    }
    return new TrafficPlan(
        routing,
        List.copyOf(versions),
        configWeights,
        directVersion(versions),
        observed.routerAvailable(),
        gatewayWanted && !observed.gatewayApiInstalled(),
        observed.gatewayApiInstalled(),
        recheck);
  }

  public static int drainSeconds(ModelDeployment md) {
    Traffic traffic = md.getSpec() == null ? null : md.getSpec().getTraffic();
    return traffic == null || traffic.getDrainSeconds() == null
        ? Traffic.DEFAULT_DRAIN_SECONDS
        : traffic.getDrainSeconds();
  }

  /** Highest effective weight; when nothing is effective, the spec version declared highest. */
  private static String directVersion(List<RoutedVersion> versions) {
    RoutedVersion best = null;
    for (RoutedVersion v : versions) {
      if (v.effectiveWeight() > 0
          && (best == null || v.effectiveWeight() > best.effectiveWeight())) {
        best = v;
      }
    }
    if (best == null) {
      for (RoutedVersion v : versions) {
        if (!v.draining() && (best == null || v.declaredWeight() > best.declaredWeight())) {
          best = v;
        }
      }
    }
    return best == null ? null : best.name();
  }

  private static Map<String, Instant> previousDrainStarts(ModelDeployment md) {
    Map<String, Instant> starts = new HashMap<>();
    if (md.getStatus() == null || md.getStatus().getVersions() == null) {
      return starts;
    }
    for (VersionStatus vs : md.getStatus().getVersions()) {
      if (Boolean.TRUE.equals(vs.getDraining()) && vs.getDrainingSince() != null) {
        try {
          starts.put(vs.getName(), Instant.parse(vs.getDrainingSince()));
        } catch (DateTimeParseException e) {
          // a hand-edited status: start the drain period again
        }
      }
    }
    return starts;
  }
}
