package dev.skiff.operator.status;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.spec.ResourceNames;
import dev.skiff.operator.traffic.TrafficPlan;
import dev.skiff.operator.traffic.TrafficPlan.RoutedVersion;
import dev.skiff.operator.traffic.TrafficPlan.Routing;
import dev.skiff.operator.traffic.TrafficPlanner;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The traffic part of the status: the TrafficReady condition and the {@code Traffic} column text
 * (the Events it is worth are {@link StatusEvents}').
 */
public final class TrafficStatus {

  public static final String HTTPROUTE_CRD = "httproutes.gateway.networking.k8s.io";

  public static final String GRPCROUTE_CRD = "grpcroutes.gateway.networking.k8s.io";

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
    Reason reason;
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
      reason = Reason.GATEWAY_API_MISSING;
      message =
          "spec.traffic.gateway.parentRefs is set but the Gateway API CRD "
              + HTTPROUTE_CRD
              + " is not installed; the router "
              + ResourceNames.router(md)
              + " splits the traffic instead ("
              + split
              + ")";
    } else if (plan.routing() == Routing.ROUTER && !plan.routerAvailable()) {
      reason = Reason.ROUTER_NOT_READY;
      message =
          "waiting for the router "
              + ResourceNames.router(md)
              + " to have a ready replica; until then the Service "
              + ResourceNames.stableService(md)
              + " sends all traffic to "
              + plan.directVersion();
    } else if (!draining.isEmpty()) {
      reason = Reason.DRAINING;
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
      reason = Reason.VERSIONS_NOT_READY;
      message =
          String.join(", ", notReady)
              + (notReady.size() == 1 ? " has" : " have")
              + " no ready replica; "
              + split
              + ", declared "
              + summary(plan.declaredWeights());
    } else {
      reason = Reason.WEIGHTS_APPLIED;
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
        ConditionType.TRAFFIC_READY,
        reason == Reason.WEIGHTS_APPLIED,
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
}
