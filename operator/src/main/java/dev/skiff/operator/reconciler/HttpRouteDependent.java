package dev.skiff.operator.reconciler;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.spec.ResourceNames;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * The Gateway API HTTPRoute {@code <md>} with weighted backendRefs. Activated only while the
 * HTTPRoute CRD is installed (its informer would fail otherwise).
 */
@KubernetesDependent(informer = @Informer(labelSelector = ResourceNames.MANAGED_SELECTOR))
public class HttpRouteDependent
    extends CRUDKubernetesDependentResource<HTTPRoute, ModelDeployment> {

  public HttpRouteDependent() {
    super(HTTPRoute.class);
  }

  @Override
  protected HTTPRoute desired(ModelDeployment primary, Context<ModelDeployment> context) {
    return Dependents.desired(context).httpRoute();
  }

  /**
   * Which secondary is ours, without building the desired object (it is null when the object is to
   * be deleted, and another child of the same kind may share the informer).
   */
  @Override
  protected ResourceID targetSecondaryResourceID(
      ModelDeployment primary, Context<ModelDeployment> context) {
    return new ResourceID(ResourceNames.httpRoute(primary), primary.getMetadata().getNamespace());
  }
}
