package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Traffic options beyond weights: shadow traffic and Gateway API attachment. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Traffic {

  @JsonPropertyDescription("Copy a share of requests to one version; its answers are discarded.")
  private Mirror mirror;

  @JsonPropertyDescription(
      "Gateway API parents (Gateways) to attach an HTTPRoute with weighted backends to, instead"
          + " of the built-in router.")
  @Size(max = 16)
  private List<ParentRef> gatewayParentRefs;

  public Mirror getMirror() {
    return mirror;
  }

  public void setMirror(Mirror mirror) {
    this.mirror = mirror;
  }

  public List<ParentRef> getGatewayParentRefs() {
    return gatewayParentRefs;
  }

  public void setGatewayParentRefs(List<ParentRef> gatewayParentRefs) {
    this.gatewayParentRefs = gatewayParentRefs;
  }
}
