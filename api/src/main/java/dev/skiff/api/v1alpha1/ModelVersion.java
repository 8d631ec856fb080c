package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.skiff.api.contract.Device;
import dev.skiff.api.contract.ModelFormat;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** One version of the model: where its file is, what runs it, and its share of traffic. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.gpu) || (has(self.device) && self.device == 'gpu')",
    message = "gpu settings require device: gpu",
    fieldPath = ".gpu")
@ValidationRule(
    value = "!(has(self.replicas) && has(self.autoscaling))",
    message = "set either replicas (fixed) or autoscaling for a version, not both",
    fieldPath = ".replicas")
public class ModelVersion {

  @JsonPropertyDescription(
      "Version name (DNS-1035 label, e.g. v1); part of child resource names <md>-<version>.")
  @Required
  @Size(min = 1, max = 30)
  @ValidationRule(
      value = "self.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
      message =
          "version name must be a DNS-1035 label: lowercase letters, digits and '-', starting with"
              + " a letter and ending with a letter or digit")
  // <md>-<version> names the version's Deployment and Service; these two are taken
  @ValidationRule(
      value = "!(self in ['router', 'peers'])",
      message =
          "version names 'router' and 'peers' are reserved: <name>-router is the router and"
              + " <name>-peers the Service through which pods answer feedback for each other")
  private String name;

  @JsonPropertyDescription(
      "Where the model file is fetched from: https://, http://, s3://, pvc://<claim>/<path> or"
          + " file://.")
  @Required
  @Size(min = 1, max = 2048)
  @ValidationRule(
      value = "self.matches('^(https?|s3|pvc|file)://.+')",
      message = "uri must start with one of https://, http://, s3://, pvc://, file://")
  private String uri;

  @JsonPropertyDescription(
      "Expected SHA-256 of the downloaded file (64 hex digits); a mismatch keeps the version from"
          + " starting.")
  @Size(max = 64)
  @ValidationRule(
      value = "self.matches('^[0-9a-fA-F]{64}$')",
      message = "sha256 must be 64 hexadecimal digits")
  private String sha256;

  @JsonPropertyDescription("Model format; when omitted the runtime infers it from the file name.")
  private ModelFormat format;

  @JsonPropertyDescription(
      "Inference device; gpu adds a GPU limit and the nvidia.com/gpu toleration and runs on CUDA.")
  @Default("cpu")
  private Device device;

  @JsonPropertyDescription(
      "Percent of traffic sent to this version (0-100; all weights sum to 100; may be omitted"
          + " when there is a single version).")
  @Min(0)
  @Max(100)
  private Integer weight;

  @JsonPropertyDescription(
      "Fixed replica count for this version; when set no autoscaler is created for it.")
  @Min(0)
  @Max(1000)
  private Integer replicas;

  @JsonPropertyDescription("Autoscaling for this version, replacing spec.autoscaling.")
  private Autoscaling autoscaling;

  @JsonPropertyDescription(
      "Container resources for this version, replacing spec.runtime.resources.")
  private ResourceRequirements resources;

  @JsonPropertyDescription(
      "GPU request for device gpu: which extended resource and how many (default 1"
          + " nvidia.com/gpu).")
  private GpuSpec gpu;

  @JsonPropertyDescription(
      "Schema keys where this version differs (e.g. another input size): each key set here"
          + " (inputs, outputs, labels, preprocess, postprocess, limits) replaces that key of"
          + " spec.schema as a whole; keys left out come from spec.schema.")
  private ModelSchema schema;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getUri() {
    return uri;
  }

  public void setUri(String uri) {
    this.uri = uri;
  }

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }

  public ModelFormat getFormat() {
    return format;
  }

  public void setFormat(ModelFormat format) {
    this.format = format;
  }

  public Device getDevice() {
    return device;
  }

  public void setDevice(Device device) {
    this.device = device;
  }

  public Integer getWeight() {
    return weight;
  }

  public void setWeight(Integer weight) {
    this.weight = weight;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Autoscaling getAutoscaling() {
    return autoscaling;
  }

  public void setAutoscaling(Autoscaling autoscaling) {
    this.autoscaling = autoscaling;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public GpuSpec getGpu() {
    return gpu;
  }

  public void setGpu(GpuSpec gpu) {
    this.gpu = gpu;
  }

  public ModelSchema getSchema() {
    return schema;
  }

  public void setSchema(ModelSchema schema) {
    this.schema = schema;
  }
}
