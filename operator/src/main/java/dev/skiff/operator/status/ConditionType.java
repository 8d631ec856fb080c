package dev.skiff.operator.status;

/** The conditions a ModelDeployment's status carries; {@link #text()} is the condition's type. */
public enum ConditionType {
  READY("Ready"),
  PROGRESSING("Progressing"),
  DEGRADED("Degraded"),
  TRAFFIC_READY("TrafficReady"),
  SCALING_READY("ScalingReady");

  private final String text;

  ConditionType(String text) {
    this.text = text;
  }

  /** The type as Kubernetes shows it ({@code kubectl wait --for=condition=Ready}). */
  public String text() {
    return text;
  }
}
