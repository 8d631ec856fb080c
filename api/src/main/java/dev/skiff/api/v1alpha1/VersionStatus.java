package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Observed state of one version's Deployment. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VersionStatus {

  @JsonPropertyDescription("Version name.")
  private String name;

  @JsonPropertyDescription("Replicas the version's Deployment wants.")
  private Integer desiredReplicas;

  @JsonPropertyDescription("Replicas whose pods pass their readiness probe.")
  private Integer readyReplicas;

  @JsonPropertyDescription("Percent of traffic routed to this version.")
  private Integer weight;

  @JsonPropertyDescription("Whether every desired replica is ready.")
  private Boolean ready;

  @JsonPropertyDescription(
      "Why the version is not ready, in CamelCase (e.g. ModelFetchFailed, PodsPending).")
  private String reason;

  @JsonPropertyDescription(
      "Details, e.g. the model fetcher's termination message such as 'NotFound: ...'.")
  private String message;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Integer getDesiredReplicas() {
    return desiredReplicas;
  }

  public void setDesiredReplicas(Integer desiredReplicas) {
    this.desiredReplicas = desiredReplicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public Integer getWeight() {
    return weight;
  }

  public void setWeight(Integer weight) {
    this.weight = weight;
  }

  public Boolean getReady() {
    return ready;
  }

  public void setReady(Boolean ready) {
    this.ready = ready;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
