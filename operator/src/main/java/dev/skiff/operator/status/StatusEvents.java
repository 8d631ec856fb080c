package dev.skiff.operator.status;

import dev.skiff.api.v1alpha1.ModelDeploymentStatus;
import dev.skiff.api.v1alpha1.VersionStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The Events a status change is worth, from the status before and after a reconcile: Ready and
 * Degraded transitions, weight shifts, drained versions, and a Gateway API that went missing.
 */
public final class StatusEvents {

  private StatusEvents() {}

  /** Every Event for the change from {@code before} (null: just created) to {@code after}. */
  public static List<StatusEvent> between(
      ModelDeploymentStatus before, ModelDeploymentStatus after) {
    List<StatusEvent> events = new ArrayList<>(transitions(before, after));
    events.addAll(traffic(before, after));
    return events;
  }

  /**
   * Ready and Degraded when their status or reason changed: Warning when Ready turned False (unless
   * only new versions are still starting) or Degraded turned True, Normal otherwise; not for what a
   * new resource is expected to say; never the same Event twice.
   */
  static List<StatusEvent> transitions(ModelDeploymentStatus before, ModelDeploymentStatus after) {
    List<Condition> old = before == null ? null : before.getConditions();
    List<StatusEvent> events = new ArrayList<>();
    for (ConditionType type : List.of(ConditionType.READY, ConditionType.DEGRADED)) {
      Optional<Condition> next = Conditions.find(after.getConditions(), type);
      if (next.isEmpty()) {
        continue;
      }
      Optional<Condition> prev = Conditions.find(old, type);
      boolean changed =
          prev.isEmpty()
              || !Objects.equals(prev.get().getStatus(), next.get().getStatus())
              || !Objects.equals(prev.get().getReason(), next.get().getReason());
      if (!changed) {
        continue;
      }
      Reason reason =
          Reason.fromText(next.get().getReason())
              .orElseThrow(
                  () -> new IllegalStateException("not a reason: " + next.get().getReason()));
      boolean warning =
          type == ConditionType.READY
              ? !"True".equals(next.get().getStatus()) && !rollingOut(before, after, reason)
              : "True".equals(next.get().getStatus());
      if (prev.isEmpty() && !warning && type == ConditionType.DEGRADED) {
        continue; // "not degraded" on the first reconcile is not news
      }
      if (prev.isEmpty() && warning && reason == Reason.VERSIONS_NOT_READY) {
        continue; // just created: not ready yet is expected
      }
      StatusEvent event =
          new StatusEvent(
              warning ? EventType.WARNING : EventType.NORMAL, reason, next.get().getMessage());
      if (!events.contains(event)) { // an invalid spec is both not Ready and Degraded: one Event
        events.add(event);
      }
    }
    return events;
  }

  /**
   * Whether Ready is False only because versions that were not ready before are still starting (a
   * canary or a new version coming up while the others serve): normal progress, so a Normal Event.
   * A version that was ready and no longer is stays a Warning, and a failed one is a Warning
   * through Degraded.
   */
  private static boolean rollingOut(
      ModelDeploymentStatus before, ModelDeploymentStatus after, Reason readyReason) {
    if (readyReason != Reason.VERSIONS_NOT_READY || after.getVersions() == null) {
      return false;
    }
    Set<String> wereReady = new HashSet<>();
    if (before != null && before.getVersions() != null) {
      before.getVersions().stream()
          .filter(v -> Boolean.TRUE.equals(v.getReady()))
          .forEach(v -> wereReady.add(v.getName()));
    }
    return after.getVersions().stream()
        .filter(v -> !Boolean.TRUE.equals(v.getReady()) && !Boolean.TRUE.equals(v.getDraining()))
        .noneMatch(v -> wereReady.contains(v.getName()));
  }

  /** TrafficShifted, VersionDrained and GatewayAPIMissing. */
  static List<StatusEvent> traffic(ModelDeploymentStatus before, ModelDeploymentStatus after) {
    List<StatusEvent> events = new ArrayList<>();
    List<Condition> was = before == null ? null : before.getConditions();
    if (Conditions.hasReason(
            after.getConditions(), ConditionType.TRAFFIC_READY, Reason.GATEWAY_API_MISSING)
        && !Conditions.hasReason(was, ConditionType.TRAFFIC_READY, Reason.GATEWAY_API_MISSING)) {
      events.add(
          new StatusEvent(
              EventType.WARNING,
              Reason.GATEWAY_API_MISSING,
              Conditions.find(after.getConditions(), ConditionType.TRAFFIC_READY)
                  .orElseThrow()
                  .getMessage()));
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
      int from = old.getOrDefault(name, 0);
      int to = now.getOrDefault(name, 0);
      if (from != to) {
        shifts.add(name + " " + from + "→" + to);
      }
    }
    if (!shifts.isEmpty()) {
      events.add(
          new StatusEvent(EventType.NORMAL, Reason.TRAFFIC_SHIFTED, String.join(", ", shifts)));
    }
    for (VersionStatus v : before.getVersions()) {
      if (Boolean.TRUE.equals(v.getDraining()) && !now.containsKey(v.getName())) {
        events.add(
            new StatusEvent(
                EventType.NORMAL,
                Reason.VERSION_DRAINED,
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
