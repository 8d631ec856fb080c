package dev.skiff.operator.reconciler;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.spec.ResourceNames;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/** The router's HPA {@code <md>-router}. */
@KubernetesDependent(informer = @Informer(labelSelector = ResourceNames.ROUTER_SELECTOR))
public class RouterAutoscalerDependent
    extends CRUDKubernetesDependentResource<HorizontalPodAutoscaler, ModelDeployment> {

  public RouterAutoscalerDependent() {
    super(HorizontalPodAutoscaler.class);
  }

  @Override
  protected HorizontalPodAutoscaler desired(
      ModelDeployment primary, Context<ModelDeployment> context) {
    return Dependents.desired(context).routerAutoscaler();
  }

  /** Found by name, without building the desired object: see {@link Dependents#routerId}. */
  @Override
  protected ResourceID targetSecondaryResourceID(
      ModelDeployment primary, Context<ModelDeployment> context) {
    return Dependents.routerId(primary);
  }
}
