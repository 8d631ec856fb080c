package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** Pod settings shared by every version's runtime pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RuntimeSpec {

  @JsonPropertyDescription(
      "Runtime container image; defaults to the image the operator is configured with.")
  private String image;

  @JsonPropertyDescription("Image pull policy: Always, IfNotPresent or Never.")
  private PullPolicy imagePullPolicy;

  @JsonPropertyDescription("Resources of the runtime container (a version may replace them).")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Node labels the pods must run on.")
  private Map<String, String> nodeSelector;

  @JsonPropertyDescription("Extra tolerations of the pods.")
  private List<Toleration> tolerations;

  @JsonPropertyDescription("Affinity rules of the pods.")
  private Affinity affinity;

  @JsonPropertyDescription("Extra environment variables of the runtime container.")
  private List<EnvVar> env;

  @JsonPropertyDescription("Secrets used to pull the runtime image.")
  private List<LocalObjectReference> imagePullSecrets;

  @JsonPropertyDescription("ServiceAccount the pods run as.")
  private String serviceAccountName;

  @JsonPropertyDescription(
      "Options of the model server in every version's pods (threads, queue, body and image"
          + " limits); each absent one keeps the runtime's default.")
  private ServerSettings server;

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public PullPolicy getImagePullPolicy() {
    return imagePullPolicy;
  }

  public void setImagePullPolicy(PullPolicy imagePullPolicy) {
    this.imagePullPolicy = imagePullPolicy;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }

  public Affinity getAffinity() {
    return affinity;
  }

  public void setAffinity(Affinity affinity) {
    this.affinity = affinity;
  }

  public List<EnvVar> getEnv() {
    return env;
  }

  public void setEnv(List<EnvVar> env) {
    this.env = env;
  }

  public List<LocalObjectReference> getImagePullSecrets() {
    return imagePullSecrets;
  }

  public void setImagePullSecrets(List<LocalObjectReference> imagePullSecrets) {
    this.imagePullSecrets = imagePullSecrets;
  }

  public String getServiceAccountName() {
    return serviceAccountName;
  }

  public void setServiceAccountName(String serviceAccountName) {
    this.serviceAccountName = serviceAccountName;
  }

  public ServerSettings getServer() {
    return server;
  }

  public void setServer(ServerSettings server) {
    this.server = server;
  }
}
