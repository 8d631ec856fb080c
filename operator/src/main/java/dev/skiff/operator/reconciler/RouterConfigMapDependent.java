package dev.skiff.operator.reconciler;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.spec.ResourceNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/** The router config {@code <md>-router}: per-version Service URLs and effective weights. */
@KubernetesDependent(informer = @Informer(labelSelector = ResourceNames.ROUTER_SELECTOR))
public class RouterConfigMapDependent
    extends CRUDKubernetesDependentResource<ConfigMap, ModelDeployment> {

  public RouterConfigMapDependent() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap desired(ModelDeployment primary, Context<ModelDeployment> context) {
    return Dependents.desired(context).routerConfig();
  }

  /** Found by name, without building the desired object: see {@link Dependents#routerId}. */
  @Override
  protected ResourceID targetSecondaryResourceID(
      ModelDeployment primary, Context<ModelDeployment> context) {
    return Dependents.routerId(primary);
  }
}
