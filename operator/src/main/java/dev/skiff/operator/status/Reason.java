package dev.skiff.operator.status;

import dev.skiff.api.contract.TerminationMessage;
import java.util.Optional;

/**
 * Every reason the operator writes into a condition, a version's status or an Event, in the
 * CamelCase Kubernetes shows ({@link #text()}). Reasons that Kubernetes itself reports about a pod
 * (CrashLoopBackOff, Unschedulable, ...) are passed through as they are and are not listed here.
 */
public enum Reason {
  // Ready
  ALL_VERSIONS_READY("AllVersionsReady"),
  VERSIONS_NOT_READY("VersionsNotReady"),
  INVALID_SPEC("InvalidSpec"),
  // Progressing
  ROLLING_OUT("RollingOut"),
  ROLLOUT_COMPLETE("RolloutComplete"),
  ROLLOUT_STALLED("RolloutStalled"),
  // Degraded
  AS_EXPECTED("AsExpected"),
  VERSION_FAILED("VersionFailed"),
  // TrafficReady
  WEIGHTS_APPLIED("WeightsApplied"),
  GATEWAY_API_MISSING("GatewayAPIMissing"),
  ROUTER_NOT_READY("RouterNotReady"),
  DRAINING("Draining"),
  // ScalingReady (False carries the autoscaler's own reason, e.g. FailedGetResourceMetric)
  AUTOSCALERS_ACTIVE("AutoscalersActive"),
  AUTOSCALER_PENDING("AutoscalerPending"),
  NOT_AUTOSCALED("NotAutoscaled"),
  // a version that is not ready
  CREATING("Creating"),
  MODEL_FETCH_FAILED("ModelFetchFailed"),
  MODEL_LOAD_FAILED(TerminationMessage.MODEL_LOAD_FAILED),
  // a ready version whose pods fetched different content from the same URI
  MIXED_DIGESTS("MixedDigests"),
  // Events only
  TRAFFIC_SHIFTED("TrafficShifted"),
  VERSION_DRAINED("VersionDrained");

  private final String text;

  Reason(String text) {
    this.text = text;
  }

  /** The reason as Kubernetes shows it. */
  public String text() {
    return text;
  }

  /** The reason a condition carries, when it is one of these. */
  public static Optional<Reason> fromText(String text) {
    for (Reason reason : values()) {
      if (reason.text.equals(text)) {
        return Optional.of(reason);
      }
    }
    return Optional.empty();
  }
}
