package dev.skiff.operator.reconciler;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.spec.ResourceNames;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * The Gateway API GRPCRoute {@code <md>} with weighted backendRefs to the gRPC ports. Activated
 * only while the GRPCRoute CRD is installed (its informer would fail otherwise).
 */
@KubernetesDependent(informer = @Informer(labelSelector = ResourceNames.MANAGED_SELECTOR))
public class GrpcRouteDependent
    extends CRUDKubernetesDependentResource<GRPCRoute, ModelDeployment> {

  public GrpcRouteDependent() {
    super(GRPCRoute.class);
  }

  @Override
  protected GRPCRoute desired(ModelDeployment primary, Context<ModelDeployment> context) {
    return Dependents.desired(context).grpcRoute();
  }

  /**
   * Which secondary is ours, without building the desired object (it is null when the object is to
   * be deleted, and another child of the same kind may share the informer).
   */
  @Override
  protected ResourceID targetSecondaryResourceID(
      ModelDeployment primary, Context<ModelDeployment> context) {
    return new ResourceID(ResourceNames.grpcRoute(primary), primary.getMetadata().getNamespace());
  }
}
