package dev.skiff.operator.reconciler;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.desired.DesiredState;
import dev.skiff.operator.spec.ResourceNames;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** What the dependents share: the desired state of this reconcile and per-version lookups. */
final class Dependents {

  private Dependents() {}

  static DesiredState desired(Context<ModelDeployment> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .getMandatory(DesiredState.class, DesiredState.class);
  }

  /**
   * Which router child (ConfigMap, Deployment, autoscaler: all named {@code <md>-router}) belongs
   * to the primary, without building the desired object: that is null when the object is to be
   * deleted, and another child of the same kind may share the informer.
   */
  static ResourceID routerId(ModelDeployment primary) {
    return new ResourceID(ResourceNames.router(primary), primary.getMetadata().getNamespace());
  }

  /**
   * The primary's children of one informer keyed by their skiff.dev/version label, without those of
   * draining versions: the bulk dependents neither update nor delete what they do not see, so a
   * draining version keeps its children until its drain period ends.
   */
  static <R extends HasMetadata> Map<String, R> byVersion(
      InformerEventSource<R, ModelDeployment> source,
      ModelDeployment primary,
      Context<ModelDeployment> context) {
    var draining = desired(context).draining();
    return source.getSecondaryResources(primary).stream()
        .filter(r -> r.getMetadata().getLabels() != null)
        .filter(
            r ->
                primary
                    .getMetadata()
                    .getName()
                    .equals(r.getMetadata().getLabels().get(ResourceNames.LABEL_INSTANCE)))
        .filter(r -> r.getMetadata().getLabels().containsKey(ResourceNames.LABEL_VERSION))
        .filter(
            r -> !draining.contains(r.getMetadata().getLabels().get(ResourceNames.LABEL_VERSION)))
        .collect(
            Collectors.toMap(
                r -> r.getMetadata().getLabels().get(ResourceNames.LABEL_VERSION),
                Function.identity(),
                (a, b) -> a));
  }
}
