package dev.skiff.operator.reconciler;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.spec.ResourceNames;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.BulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.Map;

/** One autoscaling/v2 HPA per version that has no fixed replica count. Keyed by version name. */
@KubernetesDependent(informer = @Informer(labelSelector = ResourceNames.MANAGED_SELECTOR))
public class AutoscalerDependent
    extends CRUDKubernetesDependentResource<HorizontalPodAutoscaler, ModelDeployment>
    implements BulkDependentResource<HorizontalPodAutoscaler, ModelDeployment, String> {

  public AutoscalerDependent() {
    super(HorizontalPodAutoscaler.class);
  }

  @Override
  public Map<String, HorizontalPodAutoscaler> desiredResources(
      ModelDeployment primary, Context<ModelDeployment> context) {
    return Dependents.desired(context).autoscalers();
  }

  @Override
  public Map<String, HorizontalPodAutoscaler> getSecondaryResources(
      ModelDeployment primary, Context<ModelDeployment> context) {
    return Dependents.byVersion(eventSource().orElseThrow(), primary, context);
  }

  @Override
  public void deleteTargetResource(
      ModelDeployment primary,
      HorizontalPodAutoscaler resource,
      String version,
      Context<ModelDeployment> context) {
    context.getClient().resource(resource).delete();
  }
}
