package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Traffic options beyond weights: shadow traffic, Gateway API attachment, draining. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Traffic {

  /** Used when drainSeconds is not set (objects built in code skip the CRD default). */
  public static final int DEFAULT_DRAIN_SECONDS = 10;

  @JsonPropertyDescription("Copy a share of requests to one version; its answers are discarded.")
  private Mirror mirror;

  @JsonPropertyDescription(
      "Route through a Gateway API HTTPRoute instead of the built-in router, where the Gateway"
          + " API is installed.")
  private GatewayRouting gateway;

  @JsonPropertyDescription(
      "Seconds a removed version keeps running with weight 0 after the routing change was"
          + " applied, before its Deployment, Service and autoscaler are deleted.")
  @Default("10")
  @Min(0)
  @Max(3600)
  private Integer drainSeconds;

  public Mirror getMirror() {
    return mirror;
  }

  public void setMirror(Mirror mirror) {
    this.mirror = mirror;
  }

  public GatewayRouting getGateway() {
    return gateway;
  }

  public void setGateway(GatewayRouting gateway) {
    this.gateway = gateway;
  }

  public Integer getDrainSeconds() {
    return drainSeconds;
  }

  public void setDrainSeconds(Integer drainSeconds) {
    this.drainSeconds = drainSeconds;
  }
}
