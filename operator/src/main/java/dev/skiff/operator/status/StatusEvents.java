package dev.skiff.operator.status;

import dev.skiff.api.v1alpha1.ModelDeploymentStatus;
import dev.skiff.api.v1alpha1.VersionStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
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
   * Ready and Degraded when their status or reason changed: Warning when Ready turned False or
   * Degraded turned True, Normal otherwise; not for what a new resource is expected to say.
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
      boolean warning =
          type == ConditionType.READY
              ? !"True".equals(next.get().getStatus())
              : "True".equals(next.get().getStatus());
      Reason reason =
          Reason.fromText(next.get().getReason())
              .orElseThrow(
                  () -> new IllegalStateException("not a reason: " + next.get().getReason()));
      if (prev.isEmpty() && !warning && type == ConditionType.DEGRADED) {
        continue; // "not degraded" on the first reconcile is not news
      }
      if (prev.isEmpty() && warning && reason == Reason.VERSIONS_NOT_READY) {
        continue; // just created: not ready yet is expected
      }
      events.add(
          new StatusEvent(
              warning ? EventType.WARNING : EventType.NORMAL, reason, next.get().getMessage()));
    }
    return events;
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
