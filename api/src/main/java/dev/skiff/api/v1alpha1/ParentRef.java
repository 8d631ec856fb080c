package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A Gateway API parent reference (usually a Gateway). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ParentRef {

  @JsonPropertyDescription("Name of the parent Gateway.")
  @Required
  @Size(min = 1, max = 253)
  private String name;

  @JsonPropertyDescription("Namespace of the parent; defaults to the ModelDeployment's.")
  @Size(max = 63)
  private String namespace;

  @JsonPropertyDescription("Listener name on the parent to attach to.")
  @Size(max = 253)
  private String sectionName;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getSectionName() {
    return sectionName;
  }

  public void setSectionName(String sectionName) {
    this.sectionName = sectionName;
  }
}
