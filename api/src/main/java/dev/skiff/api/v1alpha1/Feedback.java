package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimVolumeSource;

/** Feedback on predictions across every pod of every version, and where it is logged. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription(
    "Feedback on predictions (POST /v1/models/<model>/feedback with a prediction's request id)."
        + " On by default: feedback may be sent through any Service to any pod, the pod that made"
        + " the prediction counts it under its version (skiff_feedback_total) and logs it.")
public class Feedback {

  public static final int DEFAULT_WINDOW = 10_000;
  public static final int MAX_WINDOW = 1_000_000;

  @JsonPropertyDescription(
      "Whether pods answer feedback for each other and log it. When false each pod matches"
          + " feedback to its own predictions only and logs nothing. Default: true.")
  private Boolean enabled;

  @JsonPropertyDescription(
      "How many of its most recent predictions each pod remembers for feedback (1..1000000,"
          + " about 200 bytes of memory each); older ones get 404. Default: 10000.")
  @Min(1)
  @Max(MAX_WINDOW)
  private Integer window;

  @JsonPropertyDescription(
      "Where each pod appends its feedback log, <pod name>.jsonl (rotated at 10 MiB, 5 files"
          + " kept). Default: an emptyDir, which lives as long as the pod.")
  private FeedbackVolume volume;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Integer getWindow() {
    return window;
  }

  public void setWindow(Integer window) {
    this.window = window;
  }

  public FeedbackVolume getVolume() {
    return volume;
  }

  public void setVolume(FeedbackVolume volume) {
    this.volume = volume;
  }

  /** The volume the feedback logs are written to: one of a claim or an emptyDir. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "!(has(self.persistentVolumeClaim) && has(self.emptyDir))",
      message = "feedback.volume takes one of persistentVolumeClaim and emptyDir, not both")
  public static class FeedbackVolume {

    @JsonPropertyDescription(
        "A PersistentVolumeClaim in the resource's namespace; with several pods on several nodes"
            + " it needs access mode ReadWriteMany. Each pod writes its own file.")
    private PersistentVolumeClaimVolumeSource persistentVolumeClaim;

    @JsonPropertyDescription("An emptyDir per pod (e.g. {sizeLimit: 100Mi}).")
    private EmptyDirVolumeSource emptyDir;

    public PersistentVolumeClaimVolumeSource getPersistentVolumeClaim() {
      return persistentVolumeClaim;
    }

    public void setPersistentVolumeClaim(PersistentVolumeClaimVolumeSource persistentVolumeClaim) {
      this.persistentVolumeClaim = persistentVolumeClaim;
    }

    public EmptyDirVolumeSource getEmptyDir() {
      return emptyDir;
    }

    public void setEmptyDir(EmptyDirVolumeSource emptyDir) {
      this.emptyDir = emptyDir;
    }
  }
}
