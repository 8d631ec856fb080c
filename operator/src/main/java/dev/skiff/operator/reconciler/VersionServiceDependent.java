package dev.skiff.operator.reconciler;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.spec.ResourceNames;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.BulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.Map;

/**
 * One Service per version, addressing only that version's pods (the router's backends). Keyed by
 * version name.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ResourceNames.MANAGED_SELECTOR))
public class VersionServiceDependent
    extends CRUDKubernetesDependentResource<Service, ModelDeployment>
    implements BulkDependentResource<Service, ModelDeployment, String> {

  public VersionServiceDependent() {
    super(Service.class);
  }

  @Override
  public Map<String, Service> desiredResources(
      ModelDeployment primary, Context<ModelDeployment> context) {
    return Dependents.desired(context).versionServices();
  }

  @Override
  public Map<String, Service> getSecondaryResources(
      ModelDeployment primary, Context<ModelDeployment> context) {
    return Dependents.byVersion(eventSource().orElseThrow(), primary, context);
  }

  @Override
  public void deleteTargetResource(
      ModelDeployment primary, Service resource, String version, Context<ModelDeployment> context) {
    context.getClient().resource(resource).delete();
  }
}
