package dev.skiff.operator.reconciler;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.spec.ResourceNames;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.BulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.Map;

/** One Deployment per version: the runtime pods serving that version. Keyed by version name. */
@KubernetesDependent(informer = @Informer(labelSelector = ResourceNames.MANAGED_SELECTOR))
public class DeploymentDependent
    extends CRUDKubernetesDependentResource<Deployment, ModelDeployment>
    implements BulkDependentResource<Deployment, ModelDeployment, String> {

  public DeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  public Map<String, Deployment> desiredResources(
      ModelDeployment primary, Context<ModelDeployment> context) {
    return Dependents.desired(context).deployments();
  }

  @Override
  public Map<String, Deployment> getSecondaryResources(
      ModelDeployment primary, Context<ModelDeployment> context) {
    return Dependents.byVersion(eventSource().orElseThrow(), primary, context);
  }

  @Override
  public void deleteTargetResource(
      ModelDeployment primary,
      Deployment resource,
      String version,
      Context<ModelDeployment> context) {
    context.getClient().resource(resource).delete();
  }
}
