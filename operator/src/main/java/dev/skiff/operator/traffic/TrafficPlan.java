package dev.skiff.operator.traffic;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How traffic reaches the versions in this reconcile: what splits it, each version's declared and
 * effective share, which removed versions are still draining, and when to look again.
 *
 * @param routing what splits the traffic
 * @param versions the spec's versions in spec order, then draining versions by name
 * @param configWeights the weights written into the router config or the HTTPRoute: the effective
 *     ones, or the declared ones while no version can take traffic (the router's own health checks
 *     then decide, and a Gateway would fail either way)
 * @param directVersion the version the stable Service selects when it does not select the router
 * @param routerAvailable whether the router Deployment has a ready replica
 * @param gatewayApiMissing parentRefs are set but the HTTPRoute CRD is not installed
 * @param gatewayApiInstalled the HTTPRoute CRD is installed (its informer may run)
 * @param recheckAfter when the next drain period ends, if one is running
 */
public record TrafficPlan(
    Routing routing,
    List<RoutedVersion> versions,
    Map<String, Integer> configWeights,
    String directVersion,
    boolean routerAvailable,
    boolean gatewayApiMissing,
    boolean gatewayApiInstalled,
    Optional<Duration> recheckAfter) {

  /** What splits the traffic; the value is what status.routing shows. */
  public enum Routing {
    SERVICE("Service"),
    ROUTER("Router"),
    HTTP_ROUTE("HTTPRoute");

    private final String display;

    Routing(String display) {
      this.display = display;
    }

    public String display() {
      return display;
    }
  }

  /**
   * One version's share.
   *
   * @param drainingSince when its weight 0 was applied; null while not draining or while its drain
   *     period has not started (no other version is ready to take its traffic)
   */
  public record RoutedVersion(
      String name,
      int declaredWeight,
      int effectiveWeight,
      boolean ready,
      boolean draining,
      Instant drainingSince) {}

  /** Removed versions whose children must be kept for now. */
  public Set<String> draining() {
    return versions.stream()
        .filter(RoutedVersion::draining)
        .map(RoutedVersion::name)
        .collect(Collectors.toUnmodifiableSet());
  }

  /** Whether the stable Service selects the router pods (router wanted and ready). */
  public boolean stableSelectsRouter() {
    return routing == Routing.ROUTER && routerAvailable;
  }

  public Map<String, Integer> declaredWeights() {
    Map<String, Integer> m = new LinkedHashMap<>();
    versions.forEach(v -> m.put(v.name(), v.declaredWeight()));
    return m;
  }

  public Map<String, Integer> effectiveWeights() {
    Map<String, Integer> m = new LinkedHashMap<>();
    versions.forEach(v -> m.put(v.name(), v.effectiveWeight()));
    return m;
  }
}
