package dev.skiff.operator.desired;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelVersion;
import dev.skiff.operator.spec.FeedbackSettings;
import dev.skiff.operator.spec.ResourceNames;
import dev.skiff.operator.spec.Versions;
import dev.skiff.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every child a ModelDeployment should have, computed once per reconcile; the dependents read their
 * part of it. Per-version maps are keyed by version name and hold the spec's versions; the children
 * of {@link #draining} versions are left as they are until their drain period ends. The router
 * objects are null unless the router splits traffic, the HTTPRoute unless a Gateway does (the
 * GRPCRoute also unless the cluster serves GRPCRoutes), the feedback peers' Service unless feedback
 * is enabled.
 */
public record DesiredState(
    ConfigMap settings,
    Map<String, Deployment> deployments,
    Map<String, Service> versionServices,
    Map<String, HorizontalPodAutoscaler> autoscalers,
    Service stableService,
    Service feedbackPeersService,
    Set<String> draining,
    ConfigMap routerConfig,
    Deployment router,
    HorizontalPodAutoscaler routerAutoscaler,
    HTTPRoute httpRoute,
    GRPCRoute grpcRoute,
    boolean gatewayApiInstalled,
    boolean grpcRoutesServed) {

  /**
   * Every child of {@code md} for this reconcile's traffic plan.
   *
   * @param retainedSettings model.yaml keys of draining versions, copied from the settings
   *     ConfigMap in the cluster so their pods can still restart while they drain
   * @param grpcRoutesServed whether the cluster serves Gateway API GRPCRoutes (v1)
   */
  public static DesiredState of(
      ModelDeployment md,
      RuntimeDefaults defaults,
      TrafficPlan plan,
      Map<String, String> retainedSettings,
      boolean grpcRoutesServed) {
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
    ConfigMap settings = SettingsFiles.configMap(md);
    Set<String> draining = plan.draining();
    for (String version : draining) {
      String key = ResourceNames.settingsKey(version);
      if (retainedSettings.containsKey(key)) {
        settings.getData().put(key, retainedSettings.get(key));
      }
    }
    boolean router = plan.routing() == TrafficPlan.Routing.ROUTER;
    boolean gateway = plan.routing() == TrafficPlan.Routing.HTTP_ROUTE;
    return new DesiredState(
        settings,
        deployments,
        services,
        autoscalers,
        ModelServices.stableService(md, plan),
        FeedbackSettings.enabled(md) ? ModelServices.feedbackPeersService(md) : null,
        draining,
        router ? RouterResources.configMap(md, plan) : null,
        router ? RouterResources.deployment(md, defaults) : null,
        router ? RouterResources.autoscaler(md) : null,
        gateway ? HttpRoutes.build(md, plan) : null,
        gateway && grpcRoutesServed ? GrpcRoutes.build(md, plan) : null,
        plan.gatewayApiInstalled(),
        grpcRoutesServed);
  }
}
