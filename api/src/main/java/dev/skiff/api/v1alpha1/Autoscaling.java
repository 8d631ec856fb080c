package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Bounds and target of the autoscaling/v2 HorizontalPodAutoscaler created per version. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",
    message = "autoscaling.minReplicas must not exceed maxReplicas",
    fieldPath = ".minReplicas")
public class Autoscaling {

  @JsonPropertyDescription("Fewest replicas the autoscaler keeps.")
  @Default("1")
  @Min(1)
  @Max(1000)
  private Integer minReplicas;

  @JsonPropertyDescription("Most replicas the autoscaler may create.")
  @Default("3")
  @Min(1)
  @Max(1000)
  private Integer maxReplicas;

  @JsonPropertyDescription("Average CPU utilization (percent of requests) the autoscaler aims for.")
  @Default("70")
  @Min(1)
  @Max(100)
  private Integer targetCPUUtilizationPercentage;

  public Integer getMinReplicas() {
    return minReplicas;
  }

  public void setMinReplicas(Integer minReplicas) {
    this.minReplicas = minReplicas;
  }

  public Integer getMaxReplicas() {
    return maxReplicas;
  }

  public void setMaxReplicas(Integer maxReplicas) {
    this.maxReplicas = maxReplicas;
  }

  public Integer getTargetCPUUtilizationPercentage() {
    return targetCPUUtilizationPercentage;
  }

  public void setTargetCPUUtilizationPercentage(Integer targetCPUUtilizationPercentage) {
    this.targetCPUUtilizationPercentage = targetCPUUtilizationPercentage;
  }
}
