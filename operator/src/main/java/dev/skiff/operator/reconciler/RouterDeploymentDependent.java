package dev.skiff.operator.reconciler;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.spec.ResourceNames;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/** The router Deployment {@code <md>-router}: the runtime in route mode. */
@KubernetesDependent(informer = @Informer(labelSelector = ResourceNames.ROUTER_SELECTOR))
public class RouterDeploymentDependent
    extends CRUDKubernetesDependentResource<Deployment, ModelDeployment> {

  public RouterDeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(ModelDeployment primary, Context<ModelDeployment> context) {
    return Dependents.desired(context).router();
  }

  /** Found by name, without building the desired object: see {@link Dependents#routerId}. */
  @Override
  protected ResourceID targetSecondaryResourceID(
      ModelDeployment primary, Context<ModelDeployment> context) {
    return Dependents.routerId(primary);
  }
}
