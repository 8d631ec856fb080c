package dev.skiff.operator.status;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelVersion;
import dev.skiff.operator.spec.ResourceNames;
import dev.skiff.operator.spec.Versions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The ScalingReady condition (KServe's name): whether the autoscalers the operator owns (one per
 * autoscaled version, and the router's) can scale, from their own conditions. False with the
 * autoscaler's reason and message when one is not able to scale ({@code AbleToScale=False}) or
 * cannot compute a replica count ({@code ScalingActive=False}, e.g. {@code FailedGetResourceMetric}
 * without metrics-server or without a CPU request); Unknown while one has not reported yet; True
 * otherwise, naming the autoscalers held at their bounds ({@code ScalingLimited}).
 */
public final class ScalingStatus {

  private static final String ROUTER = "router";

  private ScalingStatus() {}

  /**
   * The condition for {@code md} from its autoscalers.
   *
   * @param autoscalers the HPAs in the informer's cache; those of other ModelDeployments are
   *     ignored
   */
  public static Condition condition(
      ModelDeployment md,
      List<HorizontalPodAutoscaler> autoscalers,
      long generation,
      List<Condition> previous,
      Instant now) {
    Map<String, HorizontalPodAutoscaler> byName =
        autoscalers.stream()
            .filter(h -> h.getMetadata().getDeletionTimestamp() == null)
            .collect(
                Collectors.toMap(h -> h.getMetadata().getName(), Function.identity(), (a, b) -> a));
    // what the message calls each autoscaler -> its name
    Map<String, String> expected = new LinkedHashMap<>();
    for (ModelVersion v : Versions.of(md)) {
      if (Versions.autoscaled(v)) {
        expected.put(v.getName(), ResourceNames.versionResource(md, v.getName()));
      }
    }
    if (byName.containsKey(ResourceNames.router(md))) {
      expected.putIfAbsent(ROUTER, ResourceNames.router(md));
    }
    if (expected.isEmpty()) {
      return Conditions.of(
          ConditionType.SCALING_READY,
          true,
          Reason.NOT_AUTOSCALED,
          "every version has a fixed replica count",
          generation,
          previous,
          now);
    }
    List<String> problems = new ArrayList<>();
    String problemReason = null;
    List<String> pending = new ArrayList<>();
    List<String> limited = new ArrayList<>();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      String name = e.getKey();
      HorizontalPodAutoscaler hpa = byName.get(e.getValue());
      Optional<HorizontalPodAutoscalerCondition> unable =
          hpa == null ? Optional.empty() : failing(hpa);
      if (unable.isPresent()) {
        problemReason = problemReason == null ? unable.get().getReason() : problemReason;
        problems.add(name + ": " + unable.get().getReason() + ": " + unable.get().getMessage());
      } else if (hpa == null || condition(hpa, "ScalingActive").isEmpty()) {
        pending.add(name);
      } else {
        condition(hpa, "ScalingLimited")
            .filter(c -> "True".equals(c.getStatus()))
            .ifPresent(c -> limited.add(name + ": " + c.getReason() + ": " + c.getMessage()));
      }
    }
    if (!problems.isEmpty()) {
      return Conditions.of(
          ConditionType.SCALING_READY,
          Conditions.FALSE,
          problemReason,
          String.join("; ", problems),
          generation,
          previous,
          now);
    }
    if (!pending.isEmpty()) {
      return Conditions.of(
          ConditionType.SCALING_READY,
          Conditions.UNKNOWN,
          Reason.AUTOSCALER_PENDING.text(),
          "waiting for the first report of the autoscaler of " + String.join(", ", pending),
          generation,
          previous,
          now);
    }
    return Conditions.of(
        ConditionType.SCALING_READY,
        true,
        Reason.AUTOSCALERS_ACTIVE,
        "autoscalers of "
            + String.join(", ", expected.keySet())
            + " can scale"
            + (limited.isEmpty() ? "" : "; held at a bound: " + String.join("; ", limited)),
        generation,
        previous,
        now);
  }

  /** AbleToScale=False first (the HPA cannot act at all), then ScalingActive=False. */
  private static Optional<HorizontalPodAutoscalerCondition> failing(HorizontalPodAutoscaler hpa) {
    return condition(hpa, "AbleToScale")
        .filter(c -> "False".equals(c.getStatus()))
        .or(() -> condition(hpa, "ScalingActive").filter(c -> "False".equals(c.getStatus())));
  }

  private static Optional<HorizontalPodAutoscalerCondition> condition(
      HorizontalPodAutoscaler hpa, String type) {
    if (hpa.getStatus() == null || hpa.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return hpa.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst();
  }
}
