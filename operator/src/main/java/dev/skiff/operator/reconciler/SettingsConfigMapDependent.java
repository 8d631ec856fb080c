package dev.skiff.operator.reconciler;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.spec.ResourceNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.Set;

/** The ConfigMap with each version's model.yaml, mounted into that version's pods. */
@KubernetesDependent(informer = @Informer(labelSelector = ResourceNames.MANAGED_SELECTOR))
public class SettingsConfigMapDependent
    extends CRUDKubernetesDependentResource<ConfigMap, ModelDeployment> {

  public SettingsConfigMapDependent() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap desired(ModelDeployment primary, Context<ModelDeployment> context) {
    return Dependents.desired(context).settings();
  }

  /**
   * JOSDK's server-side-apply matcher finds the desired keys in the actual ConfigMap and calls it a
   * match, so the key of a version that finished draining stayed until the next spec change. A
   * ConfigMap whose keys differ from the desired ones is applied again, which removes the old key
   * (this operator's field manager owns every key).
   */
  @Override
  public Matcher.Result<ConfigMap> match(
      ConfigMap actual,
      ConfigMap desired,
      ModelDeployment primary,
      Context<ModelDeployment> context) {
    Matcher.Result<ConfigMap> result = super.match(actual, desired, primary, context);
    if (result.matched() && !keys(actual).equals(keys(desired))) {
      return Matcher.Result.computed(false, desired);
    }
    return result;
  }

  private static Set<String> keys(ConfigMap configMap) {
    return configMap.getData() == null ? Set.of() : configMap.getData().keySet();
  }
}
