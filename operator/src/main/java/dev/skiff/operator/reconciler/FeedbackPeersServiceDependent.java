package dev.skiff.operator.reconciler;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.spec.ResourceNames;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The headless Service {@code <md>-peers} through which model-server pods answer feedback. */
@KubernetesDependent(informer = @Informer(labelSelector = ResourceNames.FEEDBACK_PEERS_SELECTOR))
public class FeedbackPeersServiceDependent
    extends CRUDKubernetesDependentResource<Service, ModelDeployment> {

  public FeedbackPeersServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service desired(ModelDeployment primary, Context<ModelDeployment> context) {
    return Dependents.desired(context).feedbackPeersService();
  }
}
