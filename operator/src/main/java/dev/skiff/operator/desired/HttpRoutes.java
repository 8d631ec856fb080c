package dev.skiff.operator.desired;

import dev.skiff.api.contract.RuntimeHttp;
import dev.skiff.api.v1alpha1.GatewayRouting;
import dev.skiff.api.v1alpha1.Mirror;
import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ParentRef;
import dev.skiff.operator.spec.ResourceNames;
import dev.skiff.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilterBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRuleBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Gateway API HTTPRoute {@code <md>} that replaces the router where the user names a Gateway:
 * one rule with weighted backendRefs to the per-version Services (the same weights the router would
 * get), a RequestMirror filter for shadow traffic, and one rule per version matching {@code
 * X-Model-Version: <v>} so pinning works through the Gateway as it does through the router.
 */
public final class HttpRoutes {

  private HttpRoutes() {}

  public static HTTPRoute build(ModelDeployment md, TrafficPlan plan) {
    GatewayRouting gateway = md.getSpec().getTraffic().getGateway();
    List<HTTPBackendRef> weighted = new ArrayList<>();
    plan.configWeights().forEach((name, weight) -> weighted.add(backend(md, name, weight)));
    HTTPRouteRuleBuilder split = new HTTPRouteRuleBuilder().withBackendRefs(weighted);
    Mirror mirror = md.getSpec().getTraffic().getMirror();
    if (mirror != null) {
      split.withFilters(mirrorFilter(md, mirror));
    }
    List<HTTPRouteRule> rules = new ArrayList<>();
    rules.add(split.build());
    for (TrafficPlan.RoutedVersion v : plan.versions()) {
      rules.add(
          new HTTPRouteRuleBuilder()
              .addNewMatch()
              .addNewHeader()
              .withType("Exact")
              .withName(RuntimeHttp.MODEL_VERSION_HEADER)
              .withValue(v.name())
              .endHeader()
              .endMatch()
              .withBackendRefs(backend(md, v.name(), 1))
              .build());
    }
    return new HTTPRouteBuilder()
        .withMetadata(
            Owners.childMeta(
                md,
                ResourceNames.httpRoute(md),
                ResourceNames.labels(md, ResourceNames.COMPONENT_ENDPOINT)))
        .withNewSpec()
        .withParentRefs(parents(gateway))
        .withHostnames(hostnames(gateway))
        .withRules(rules)
        .endSpec()
        .build();
  }

  /** The Gateways (and listeners) the user named; shared with the GRPCRoute. */
  static List<ParentReference> parents(GatewayRouting gateway) {
    List<ParentReference> parents = new ArrayList<>();
    for (ParentRef p : gateway.getParentRefs()) {
      parents.add(
          new ParentReferenceBuilder()
              .withGroup("gateway.networking.k8s.io")
              .withKind("Gateway")
              .withName(p.getName())
              .withNamespace(p.getNamespace())
              .withSectionName(p.getSectionName())
              .build());
    }
    return parents;
  }

  /** The hostnames the user named, or null (absent: the route matches every host). */
  static List<String> hostnames(GatewayRouting gateway) {
    return gateway.getHostnames() == null || gateway.getHostnames().isEmpty()
        ? null
        : gateway.getHostnames();
  }

  private static HTTPBackendRef backend(ModelDeployment md, String version, int weight) {
    return new HTTPBackendRefBuilder()
        .withGroup("")
        .withKind("Service")
        .withName(ResourceNames.versionResource(md, version))
        .withPort(ResourceNames.HTTP_PORT)
        .withWeight(weight)
        .build();
  }

  private static HTTPRouteFilter mirrorFilter(ModelDeployment md, Mirror mirror) {
    return new HTTPRouteFilterBuilder()
        .withType("RequestMirror")
        .withNewRequestMirror()
        .withNewBackendRef()
        .withGroup("")
        .withKind("Service")
        .withName(ResourceNames.versionResource(md, mirror.getVersion()))
        .withPort(ResourceNames.HTTP_PORT)
        .endBackendRef()
        .withPercent(Objects.requireNonNullElse(mirror.getPercent(), 100))
        .endRequestMirror()
        .build();
  }
}
