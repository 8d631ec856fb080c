package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What is in effect: conditions, per-version readiness and weights, and the stable URL. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription(
    "What the operator observed: conditions (Ready, Progressing, Degraded, TrafficReady), each version's replicas and weights, the routing mode and the URL to call.")
public class ModelDeploymentStatus {

  @JsonPropertyDescription("metadata.generation of the spec this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Effective model name (spec.model or metadata.name).")
  private String model;

  @JsonPropertyDescription("In-cluster URL of the stable Service that clients call.")
  private String url;

  @JsonPropertyDescription(
      "Ready, Progressing, Degraded and TrafficReady conditions (metav1.Condition shape).")
  private List<Condition> conditions;

  @JsonPropertyDescription(
      "Per-version replicas, readiness, declared and effective weight; removed versions that are"
          + " still draining are listed too.")
  private List<VersionStatus> versions;

  @JsonPropertyDescription("Comma-separated version names, for kubectl get.")
  private String versionNames;

  @JsonPropertyDescription(
      "Traffic split in effect as version=percent pairs, for kubectl get; the declared percent"
          + " follows in parentheses where it differs, e.g. v1=100,v2=0(10).")
  private String traffic;

  @JsonPropertyDescription(
      "What splits the traffic: Service (one version, selected directly), Router (the <md>-router"
          + " Deployment) or HTTPRoute (Gateway API).")
  private String routing;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getModel() {
    return model;
  }

  public void setModel(String model) {
    this.model = model;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public List<VersionStatus> getVersions() {
    return versions;
  }

  public void setVersions(List<VersionStatus> versions) {
    this.versions = versions;
  }

  public String getVersionNames() {
    return versionNames;
  }

  public void setVersionNames(String versionNames) {
    this.versionNames = versionNames;
  }

  public String getTraffic() {
    return traffic;
  }

  public void setTraffic(String traffic) {
    this.traffic = traffic;
  }

  public String getRouting() {
    return routing;
  }

  public void setRouting(String routing) {
    this.routing = routing;
  }
}
