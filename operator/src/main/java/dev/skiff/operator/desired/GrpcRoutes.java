package dev.skiff.operator.desired;

import dev.skiff.api.contract.RuntimeGrpc;
import dev.skiff.api.v1alpha1.GatewayRouting;
import dev.skiff.api.v1alpha1.Mirror;
import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.spec.ResourceNames;
import dev.skiff.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteFilterBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRuleBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Gateway API GRPCRoute {@code <md>} written beside the HTTPRoute where the user names a
 * Gateway: the same weighted split to the per-version Services' gRPC port, the same mirror, and one
 * rule per version matching {@value RuntimeGrpc#MODEL_VERSION_METADATA} metadata, so gRPC clients
 * get through the Gateway what they get through the router.
 */
public final class GrpcRoutes {

  private GrpcRoutes() {}

  public static GRPCRoute build(ModelDeployment md, TrafficPlan plan) {
    GatewayRouting gateway = md.getSpec().getTraffic().getGateway();
    List<GRPCBackendRef> weighted = new ArrayList<>();
    plan.configWeights().forEach((name, weight) -> weighted.add(backend(md, name, weight)));
    GRPCRouteRuleBuilder split = new GRPCRouteRuleBuilder().withBackendRefs(weighted);
    Mirror mirror = md.getSpec().getTraffic().getMirror();
    if (mirror != null) {
      split.withFilters(mirrorFilter(md, mirror));
    }
    List<GRPCRouteRule> rules = new ArrayList<>();
    rules.add(split.build());
    for (TrafficPlan.RoutedVersion v : plan.versions()) {
      rules.add(
          new GRPCRouteRuleBuilder()
              .addNewMatch()
              .addNewHeader()
              .withType("Exact")
              .withName(RuntimeGrpc.MODEL_VERSION_METADATA)
              .withValue(v.name())
              .endHeader()
              .endMatch()
              .withBackendRefs(backend(md, v.name(), 1))
              .build());
    }
    return new GRPCRouteBuilder()
        .withMetadata(
            Owners.childMeta(
                md,
                ResourceNames.grpcRoute(md),
                ResourceNames.labels(md, ResourceNames.COMPONENT_ENDPOINT)))
        .withNewSpec()
        .withParentRefs(HttpRoutes.parents(gateway))
        .withHostnames(HttpRoutes.hostnames(gateway))
        .withRules(rules)
        .endSpec()
        .build();
  }

  private static GRPCBackendRef backend(ModelDeployment md, String version, int weight) {
    return new GRPCBackendRefBuilder()
        .withGroup("")
        .withKind("Service")
        .withName(ResourceNames.versionResource(md, version))
        .withPort(ResourceNames.GRPC_PORT)
        .withWeight(weight)
        .build();
  }

  private static GRPCRouteFilter mirrorFilter(ModelDeployment md, Mirror mirror) {
    return new GRPCRouteFilterBuilder()
        .withType("RequestMirror")
        .withNewRequestMirror()
        .withNewBackendRef()
        .withGroup("")
        .withKind("Service")
        .withName(ResourceNames.versionResource(md, mirror.getVersion()))
        .withPort(ResourceNames.GRPC_PORT)
        .endBackendRef()
        .withPercent(Objects.requireNonNullElse(mirror.getPercent(), 100))
        .endRequestMirror()
        .build();
  }
}
