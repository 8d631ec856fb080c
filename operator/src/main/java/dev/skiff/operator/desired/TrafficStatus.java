package dev.skiff.operator.desired;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelDeploymentStatus;
import dev.skiff.api.v1alpha1.VersionStatus;
import dev.skiff.operator.desired.StatusCalculator.TransitionEvent;
import dev.skiff.operator.desired.TrafficPlan.RoutedVersion;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The traffic part of the status: the TrafficReady condition, the {@code Traffic} column text and
 * the Events that record weight shifts, drained versions and a missing Gateway API.
 */
public final class TrafficStatus {

  public static final String HTTPROUTE_CRD = "httproutes.gateway.networking.k8s.io";

  private TrafficStatus() {}

  /**
   * TrafficReady: True (reason WeightsApplied) when every version gets its declared weight through
   * the routing object the spec asks for; otherwise False with the first reason that applies.
   */
  public static Condition condition(
      ModelDeployment md,
      TrafficPlan plan,
      long generation,
      List<Condition> previous,
      Instant now) {
    String reason;
    String message;
    List<String> notReady =
        plan.versions().stream()
            .filter(v -> !v.draining() && v.effectiveWeight() != v.declaredWeight())
            .map(RoutedVersion::name)
            .toList();
    List<RoutedVersion> draining =
        plan.versions().stream().filter(RoutedVersion::draining).toList();
    String split = "effective " + summary(plan.effectiveWeights());
    if (plan.gatewayApiMissing()) {
      reason = "GatewayAPIMissing";
      message =
          "spec.traffic.gateway.parentRefs is set but the Gateway API CRD "
              + HTTPROUTE_CRD
              + " is not installed; the router "
              + ResourceNames.router(md)
              + " splits the traffic instead ("
              + split
              + ")";
    } else if (plan.routing() == TrafficPlan.Routing.ROUTER && !plan.routerAvailable()) {
      reason = "RouterNotReady";
      message =
          "waiting for the router "
              + ResourceNames.router(md)
              + " to have a ready replica; until then the Service "
              + ResourceNames.stableService(md)
              + " sends all traffic to "
              + plan.directVersion();
    } else if (!draining.isEmpty()) {
      reason = "Draining";
      message =
          draining.stream()
                  .map(
                      v ->
                          v.drainingSince() == null
                              ? v.name() + " keeps serving until another version is ready"
                              : v.name()
                                  + " has weight 0 since "
                                  + v.drainingSince()
                                  + " and is deleted "
                                  + TrafficPlanner.drainSeconds(md)
                                  + "s later")
                  .collect(Collectors.joining("; "))
              + " ("
              + split
              + ")";
    } else if (!notReady.isEmpty()) {
      reason = "VersionsNotReady";
      message =
          String.join(", ", notReady)
              + (notReady.size() == 1 ? " has" : " have")
              + " no ready replica; "
              + split
              + ", declared "
              + summary(plan.declaredWeights());
    } else {
      reason = "WeightsApplied";
      message =
          switch (plan.routing()) {
            case SERVICE ->
                "all traffic to "
                    + plan.directVersion()
                    + " through the Service "
                    + ResourceNames.stableService(md);
            case ROUTER ->
                summary(plan.effectiveWeights())
                    + " through the router "
                    + ResourceNames.router(md);
            case HTTP_ROUTE ->
                summary(plan.effectiveWeights())
                    + " through the HTTPRoute "
                    + ResourceNames.httpRoute(md);
          };
    }
    return Conditions.of(
        Conditions.TRAFFIC_READY,
        reason.equals("WeightsApplied"),
        reason,
        message,
        generation,
        previous,
        now);
  }

  /** {@code v1=90,v2=10}. */
  public static String summary(Map<String, Integer> weights) {
    return weights.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }

  /** The Traffic column: effective weights, the declared one in parentheses where it differs. */
  public static String column(TrafficPlan plan) {
    return plan.versions().stream()
        .map(
            v ->
                v.name()
                    + "="
                    + v.effectiveWeight()
                    + (v.draining()
                        ? "(draining)"
                        : v.effectiveWeight() == v.declaredWeight()
                            ? ""
                            : "(" + v.declaredWeight() + ")"))
        .collect(Collectors.joining(","));
  }

  /** Events for a status change: TrafficShifted, VersionDrained, GatewayAPIMissing. */
  public static List<TransitionEvent> events(
      ModelDeploymentStatus before, ModelDeploymentStatus after) {
    List<TransitionEvent> events = new ArrayList<>();
    Optional<Condition> wasTraffic =
        Conditions.find(before == null ? null : before.getConditions(), Conditions.TRAFFIC_READY);
    Optional<Condition> isTraffic =
        Conditions.find(after.getConditions(), Conditions.TRAFFIC_READY);
    if (isTraffic.isPresent()
        && "GatewayAPIMissing".equals(isTraffic.get().getReason())
        && !wasTraffic.map(c -> "GatewayAPIMissing".equals(c.getReason())).orElse(false)) {
      events.add(new TransitionEvent("Warning", "GatewayAPIMissing", isTraffic.get().getMessage()));
    }
    if (before == null || before.getVersions() == null || after.getVersions() == null) {
      return events; // just created: its first split is not a shift
    }
    Map<String, Integer> old = effective(before.getVersions());
    Map<String, Integer> now = effective(after.getVersions());
    Set<String> names = new LinkedHashSet<>(now.keySet());
    names.addAll(old.keySet());
    List<String> shifts = new ArrayList<>();
    for (String name : names) {
      int was = old.getOrDefault(name, 0);
      int is = now.getOrDefault(name, 0);
      if (was != is) {
        shifts.add(name + " " + was + "→" + is);
      }
    }
    if (!shifts.isEmpty()) {
      events.add(new TransitionEvent("Normal", "TrafficShifted", String.join(", ", shifts)));
    }
    for (VersionStatus v : before.getVersions()) {
      if (Boolean.TRUE.equals(v.getDraining()) && !now.containsKey(v.getName())) {
        events.add(
            new TransitionEvent(
                "Normal",
                "VersionDrained",
                v.getName() + " drained; deleting its Deployment, Service and autoscaler"));
      }
    }
    return events;
  }

  private static Map<String, Integer> effective(List<VersionStatus> versions) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (VersionStatus v : versions) {
      m.put(v.getName(), Objects.requireNonNullElse(v.getEffectiveWeight(), 0));
    }
    return m;
  }
}
