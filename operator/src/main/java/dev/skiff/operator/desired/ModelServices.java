package dev.skiff.operator.desired;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelVersion;
import dev.skiff.operator.spec.ResourceNames;
import dev.skiff.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.Map;

/** The per-version Services and the stable Service {@code <md>} that clients use. */
public final class ModelServices {

  private ModelServices() {}

  public static Service versionService(ModelDeployment md, ModelVersion version) {
    return withGrpcPort(
        service(
            md,
            ResourceNames.versionResource(md, version.getName()),
            ResourceNames.versionLabels(md, version.getName()),
            ResourceNames.versionSelector(md, version.getName())));
  }

  /** The stable Service clients call; see {@link #stableSelector}. */
  public static Service stableService(ModelDeployment md, TrafficPlan plan) {
    return withGrpcPort(
        service(
            md,
            ResourceNames.stableService(md),
            ResourceNames.labels(md, ResourceNames.COMPONENT_ENDPOINT),
            stableSelector(md, plan)));
  }

  /**
   * Adds the V2 gRPC port. {@code kubernetes.io/h2c} tells Gateways and meshes it is HTTP/2 in
   * plain text, so they do not try HTTP/1.1 (what tritonclient's "Trying to connect an http1.x
   * server" means).
   */
  private static Service withGrpcPort(Service service) {
    return new ServiceBuilder(service)
        .editSpec()
        .addNewPort()
        .withName(ResourceNames.GRPC_PORT_NAME)
        .withPort(ResourceNames.GRPC_PORT)
        .withNewTargetPort(ResourceNames.GRPC_PORT_NAME)
        .withProtocol("TCP")
        .withAppProtocol("kubernetes.io/h2c")
        .endPort()
        .endSpec()
        .build();
  }

  /**
   * The pods the stable Service sends traffic to: the router's once it has a ready replica;
   * otherwise (one version, a router still starting, or an HTTPRoute doing the split at the
   * Gateway) the pods of the version with the highest effective weight, so the switch to the router
   * never points the Service at pods that cannot answer.
   */
  public static Map<String, String> stableSelector(ModelDeployment md, TrafficPlan plan) {
    return plan.stableSelectsRouter()
        ? ResourceNames.routerSelector(md)
        : ResourceNames.versionSelector(md, plan.directVersion());
  }

  /**
   * The headless Service {@code <md>-peers} whose DNS name resolves to every model-server pod of
   * every version, ready or not (a draining pod still answers for its predictions): each pod
   * forwards feedback it cannot match to the others (the runtime's {@code --feedback-peers}).
   */
  public static Service feedbackPeersService(ModelDeployment md) {
    return new ServiceBuilder(
            service(
                md,
                ResourceNames.feedbackPeersService(md),
                ResourceNames.labels(md, ResourceNames.COMPONENT_FEEDBACK_PEERS),
                ResourceNames.serverSelector(md)))
        .editSpec()
        .withClusterIP("None")
        .withPublishNotReadyAddresses(true)
        .endSpec()
        .build();
  }

  private static Service service(
      ModelDeployment md, String name, Map<String, String> labels, Map<String, String> selector) {
    return new ServiceBuilder()
        .withMetadata(Owners.childMeta(md, name, labels))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(selector)
        .addNewPort()
        .withName(ResourceNames.HTTP_PORT_NAME)
        .withPort(ResourceNames.HTTP_PORT)
        .withNewTargetPort(ResourceNames.HTTP_PORT_NAME)
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }
}
