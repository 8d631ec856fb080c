package dev.skiff.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * metav1.Condition helpers: a condition keeps its lastTransitionTime while its status does not
 * change, so an unchanged status serializes identically and causes no write.
 */
public final class Conditions {

  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private Conditions() {}

  public static Condition of(
      ConditionType type,
      boolean status,
      Reason reason,
      String message,
      long generation,
      List<Condition> previous,
      Instant now) {
    return of(type, status ? TRUE : FALSE, reason.text(), message, generation, previous, now);
  }

  /**
   * A condition whose reason may be one Kubernetes reported (an autoscaler's, say) and whose status
   * may be {@value #UNKNOWN}.
   *
   * @param status {@value #TRUE}, {@value #FALSE} or {@value #UNKNOWN}
   */
  public static Condition of(
      ConditionType type,
      String status,
      String reason,
      String message,
      long generation,
      List<Condition> previous,
      Instant now) {
    String transition =
        find(previous, type)
            .filter(c -> status.equals(c.getStatus()) && c.getLastTransitionTime() != null)
            .map(Condition::getLastTransitionTime)
            .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
    return new ConditionBuilder()
        .withType(type.text())
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(transition)
        .build();
  }

  public static Optional<Condition> find(List<Condition> conditions, ConditionType type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> Objects.equals(type.text(), c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, ConditionType type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  /** Whether the condition of {@code type} has {@code reason}. */
  public static boolean hasReason(List<Condition> conditions, ConditionType type, Reason reason) {
    return find(conditions, type).map(c -> reason.text().equals(c.getReason())).orElse(false);
  }
}
