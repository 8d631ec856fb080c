package dev.skiff.operator.desired;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelVersion;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every child a ModelDeployment should have, computed once per reconcile; the dependents read their
 * part of it. Per-version maps are keyed by version name.
 */
public record DesiredState(
    ConfigMap settings,
    Map<String, Deployment> deployments,
    Map<String, Service> versionServices,
    Map<String, HorizontalPodAutoscaler> autoscalers,
    Service stableService) {

  public static DesiredState of(ModelDeployment md, RuntimeDefaults defaults) {
    Map<String, Deployment> deployments = new LinkedHashMap<>();
    Map<String, Service> services = new LinkedHashMap<>();
    Map<String, HorizontalPodAutoscaler> autoscalers = new LinkedHashMap<>();
    for (ModelVersion version : Versions.of(md)) {
      deployments.put(version.getName(), RuntimeDeployments.build(md, version, defaults));
      services.put(version.getName(), ModelServices.versionService(md, version));
      if (Versions.autoscaled(version)) {
        autoscalers.put(version.getName(), Autoscalers.build(md, version));
      }
    }
    return new DesiredState(
        ModelSettings.configMap(md),
        deployments,
        services,
        autoscalers,
        ModelServices.stableService(md));
  }
}
