package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Observed state of one version: its Deployment's replicas, its declared and effective traffic
 * share, and whether it is being drained after removal from the spec.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VersionStatus {

  @JsonPropertyDescription("Version name.")
  private String name;

  @JsonPropertyDescription("Replicas the version's Deployment wants.")
  private Integer desiredReplicas;

  @JsonPropertyDescription("Replicas whose pods pass their readiness probe.")
  private Integer readyReplicas;

  @JsonPropertyDescription("Percent of traffic the spec gives this version (0 while draining).")
  private Integer declaredWeight;

  @JsonPropertyDescription(
      "Percent of traffic the routing in effect sends to this version: 0 while it has no ready"
          + " replica, the share of not-ready versions spread over the ready ones.")
  private Integer effectiveWeight;

  @JsonPropertyDescription(
      "True for a version removed from the spec that still runs with weight 0 until its drain"
          + " period ends.")
  private Boolean draining;

  @JsonPropertyDescription(
      "When the routing with weight 0 for this draining version was applied (RFC 3339); unset"
          + " while no other version is ready to take its traffic.")
  private String drainingSince;

  @JsonPropertyDescription("Whether every desired replica is ready.")
  private Boolean ready;

  @JsonPropertyDescription(
      "Why the version is not ready, in CamelCase (e.g. ModelFetchFailed, ModelLoadFailed,"
          + " RollingOut); on a ready version only MixedDigests: its ready pods fetched different"
          + " content from the same URI.")
  private String reason;

  @JsonPropertyDescription(
      "Details, e.g. the model fetcher's termination message such as 'NotFound: ...' or the"
          + " runtime's reason a model did not load.")
  private String message;

  @JsonPropertyDescription(
      "sha256 of the model file the version's ready pods downloaded ('sha256:<hex>', of the"
          + " archive for archives), as the fetch init container computed it, whether or not"
          + " spec.versions[].sha256 was given; the newest ready pod's when they differ (see"
          + " reason MixedDigests). Unset while no pod is ready.")
  private String digest;

  public String getDigest() {
    return digest;
  }

  public void setDigest(String digest) {
    this.digest = digest;
  }

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

  public Integer getDeclaredWeight() {
    return declaredWeight;
  }

  public void setDeclaredWeight(Integer declaredWeight) {
    this.declaredWeight = declaredWeight;
  }

  public Integer getEffectiveWeight() {
    return effectiveWeight;
  }

  public void setEffectiveWeight(Integer effectiveWeight) {
    this.effectiveWeight = effectiveWeight;
  }

  public Boolean getDraining() {
    return draining;
  }

  public void setDraining(Boolean draining) {
    this.draining = draining;
  }

  public String getDrainingSince() {
    return drainingSince;
  }

  public void setDrainingSince(String drainingSince) {
    this.drainingSince = drainingSince;
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
