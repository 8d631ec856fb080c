package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** What the user asks for. Rules the API server can check are declared here as schema and CEL. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.traffic) || !has(self.traffic.mirror)"
            + " || self.versions.exists(v, v.name == self.traffic.mirror.version)",
    message = "traffic.mirror.version must name one of spec.versions",
    fieldPath = ".traffic.mirror.version")
// The router never copies a request to the version that answers it, so a mirror onto the version
// that takes all the traffic would copy nothing.
@ValidationRule(
    value =
        "!has(self.traffic) || !has(self.traffic.mirror) || size(self.versions) > 1"
            + " && !self.versions.exists(v, v.name == self.traffic.mirror.version"
            + " && has(v.weight) && v.weight == 100)",
    message =
        "traffic.mirror.version must not be the version that receives all the traffic (a copy"
            + " is never sent to the version that answers the request); mirror onto a version with"
            + " weight below 100, next to the one that serves",
    fieldPath = ".traffic.mirror.version")
@JsonClassDescription(
    "What to serve: the model's versions (model URI, device, weight), its tensor schema, and options for autoscaling, batching, auth and traffic.")
public class ModelDeploymentSpec {

  @JsonPropertyDescription(
      "Model name used in inference API paths (/v2/models/<model>); defaults to metadata.name.")
  @Pattern("^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$")
  @Size(max = 63)
  private String model;

  @JsonPropertyDescription(
      "Declared input/output contract of the model (Open Inference Protocol tensor metadata),"
          + " image preprocessing, postprocessing and per-request limits; a version's schema may"
          + " replace keys of it.")
  private ModelSchema schema;

  @JsonPropertyDescription(
      "Versions of the model to run; each gets its own Deployment, Service and autoscaler.")
  @Required
  @Size(min = 1, max = 8)
  @ValidationRule(
      value = "self.all(a, self.exists_one(b, b.name == a.name))",
      message = "version names must be unique")
  @ValidationRule(
      value =
          "(size(self) == 1 && !has(self[0].weight))"
              + " || (self.all(v, has(v.weight)) && self.map(v, v.weight).sum() == 100)",
      message =
          "version weights must sum to 100 (a weight may be omitted only when there is a single"
              + " version)")
  private List<ModelVersion> versions;

  @JsonPropertyDescription(
      "Horizontal autoscaling defaults for every version (a version may override them).")
  private Autoscaling autoscaling;

  @JsonPropertyDescription("Server-side dynamic batching of inference requests.")
  private Batching batching;

  @JsonPropertyDescription("Bearer-token authentication for the inference endpoints.")
  private Auth auth;

  @JsonPropertyDescription(
      "Traffic options: shadow traffic, Gateway API routing and how long removed versions drain.")
  private Traffic traffic;

  @JsonPropertyDescription(
      "Pod-level settings of the runtime containers (image, resources, scheduling, env).")
  private RuntimeSpec runtime;

  @JsonPropertyDescription(
      "Feedback on predictions: on by default, answered by whichever pod made the prediction;"
          + " how many predictions each pod remembers and where the feedback log is kept.")
  private Feedback feedback;

  public String getModel() {
    return model;
  }

  public void setModel(String model) {
    this.model = model;
  }

  public ModelSchema getSchema() {
    return schema;
  }

  public void setSchema(ModelSchema schema) {
    this.schema = schema;
  }

  public List<ModelVersion> getVersions() {
    return versions;
  }

  public void setVersions(List<ModelVersion> versions) {
    this.versions = versions;
  }

  public Autoscaling getAutoscaling() {
    return autoscaling;
  }

  public void setAutoscaling(Autoscaling autoscaling) {
    this.autoscaling = autoscaling;
  }

  public Batching getBatching() {
    return batching;
  }

  public void setBatching(Batching batching) {
    this.batching = batching;
  }

  public Auth getAuth() {
    return auth;
  }

  public void setAuth(Auth auth) {
    this.auth = auth;
  }

  public Traffic getTraffic() {
    return traffic;
  }

  public void setTraffic(Traffic traffic) {
    this.traffic = traffic;
  }

  public RuntimeSpec getRuntime() {
    return runtime;
  }

  public void setRuntime(RuntimeSpec runtime) {
    this.runtime = runtime;
  }

  public Feedback getFeedback() {
    return feedback;
  }

  public void setFeedback(Feedback feedback) {
    this.feedback = feedback;
  }
}
