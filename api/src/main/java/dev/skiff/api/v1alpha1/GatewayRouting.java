package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * Gateway API attachment: where the HTTPRoute with weighted backends hangs. Used only where the
 * cluster has the Gateway API CRDs; elsewhere the built-in router keeps splitting traffic.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GatewayRouting {

  @JsonPropertyDescription(
      "Gateways (or listeners of them) the HTTPRoute <md> attaches to; when set and the Gateway"
          + " API is installed, the HTTPRoute replaces the built-in router.")
  @Required
  @Size(min = 1, max = 16)
  private List<ParentRef> parentRefs;

  @JsonPropertyDescription(
      "Host names the HTTPRoute matches (Gateway API hostnames); all hosts of the listener when"
          + " empty.")
  @Size(max = 16)
  private List<String> hostnames;

  public List<ParentRef> getParentRefs() {
    return parentRefs;
  }

  public void setParentRefs(List<ParentRef> parentRefs) {
    this.parentRefs = parentRefs;
  }

  public List<String> getHostnames() {
    return hostnames;
  }

  public void setHostnames(List<String> hostnames) {
    this.hostnames = hostnames;
  }
}
