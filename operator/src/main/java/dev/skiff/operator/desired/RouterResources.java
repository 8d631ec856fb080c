package dev.skiff.operator.desired;

import dev.skiff.api.contract.ContractYaml;
import dev.skiff.api.contract.RouterConfigFile;
import dev.skiff.api.contract.RuntimeCommand;
import dev.skiff.api.contract.RuntimeHttp;
import dev.skiff.api.v1alpha1.Mirror;
import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.RuntimeSpec;
import dev.skiff.operator.spec.ResourceNames;
import dev.skiff.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The weighted router {@code <md>-router}: the runtime image in {@code route} mode, its config
 * ConfigMap (per-version Service URLs and weights) and its HPA. The config is mounted as a whole
 * directory, not with subPath, so a ConfigMap update reaches the running pods and the router
 * reloads it without a restart.
 */
public final class RouterResources {

  public static final String CONFIG_DIR = "/etc/skiff/router";
  public static final String CONFIG_FILE = CONFIG_DIR + "/" + ResourceNames.ROUTER_CONFIG_KEY;
  public static final int MIN_REPLICAS = 1;
  public static final int MAX_REPLICAS = 3;
  public static final int TARGET_CPU = 70;

  private RouterResources() {}

  /** The router config file (docs/router.md), versions in plan order. */
  public static RouterConfigFile config(ModelDeployment md, TrafficPlan plan) {
    List<RouterConfigFile.Version> versions = new ArrayList<>();
    plan.configWeights()
        .forEach(
            (name, weight) ->
                versions.add(
                    new RouterConfigFile.Version(
                        name,
                        ResourceNames.versionUrl(md, name),
                        weight,
                        ResourceNames.GRPC_PORT)));
    Mirror mirror =
        md.getSpec().getTraffic() == null ? null : md.getSpec().getTraffic().getMirror();
    return new RouterConfigFile(
        ResourceNames.modelName(md),
        versions,
        mirror == null
            ? null
            : new RouterConfigFile.Mirror(
                mirror.getVersion(), Objects.requireNonNullElse(mirror.getPercent(), 100)));
  }

  /** The router config file's text. */
  public static String render(ModelDeployment md, TrafficPlan plan) {
    return ContractYaml.write(config(md, plan));
  }

  public static ConfigMap configMap(ModelDeployment md, TrafficPlan plan) {
    return new ConfigMapBuilder()
        .withMetadata(
            Owners.childMeta(
                md,
                ResourceNames.router(md),
                ResourceNames.labels(md, ResourceNames.COMPONENT_ROUTER)))
        .withData(Map.of(ResourceNames.ROUTER_CONFIG_KEY, render(md, plan)))
        .build();
  }

  public static Deployment deployment(ModelDeployment md, RuntimeDefaults defaults) {
    RuntimeSpec runtime =
        Objects.requireNonNullElseGet(md.getSpec().getRuntime(), RuntimeSpec::new);
    String image = runtime.getImage() != null ? runtime.getImage() : defaults.image();
    Map<String, String> labels = ResourceNames.labels(md, ResourceNames.COMPONENT_ROUTER);
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("prometheus.io/scrape", "true");
    annotations.put("prometheus.io/port", String.valueOf(ResourceNames.HTTP_PORT));
    annotations.put("prometheus.io/path", RuntimeHttp.METRICS);
    return new DeploymentBuilder()
        .withMetadata(Owners.childMeta(md, ResourceNames.router(md), labels))
        .withNewSpec()
        .withNewSelector()
        .withMatchLabels(ResourceNames.routerSelector(md))
        .endSelector()
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withNewMaxUnavailable(0)
        .withNewMaxSurge(1)
        .endRollingUpdate()
        .endStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withSecurityContext(RuntimeDeployments.podSecurityContext())
        .withAutomountServiceAccountToken(false)
        .withImagePullSecrets(runtime.getImagePullSecrets())
        .withTerminationGracePeriodSeconds((long) RuntimeDeployments.TERMINATION_GRACE_SECONDS)
        .addNewContainer()
        .withName(ResourceNames.ROUTER_CONTAINER)
        .withImage(image)
        .withImagePullPolicy(
            runtime.getImagePullPolicy() == null ? null : runtime.getImagePullPolicy().name())
        .withArgs(
            RuntimeCommand.route(CONFIG_FILE)
                .port(ResourceNames.HTTP_PORT)
                .shutdownDelaySeconds(RuntimeDeployments.SHUTDOWN_DELAY_SECONDS)
                .args())
        .addNewPort()
        .withName(ResourceNames.HTTP_PORT_NAME)
        .withContainerPort(ResourceNames.HTTP_PORT)
        .withProtocol("TCP")
        .endPort()
        .addNewPort()
        .withName(ResourceNames.GRPC_PORT_NAME)
        .withContainerPort(ResourceNames.GRPC_PORT)
        .withProtocol("TCP")
        .endPort()
        .withNewResources()
        .addToRequests("cpu", new Quantity("100m"))
        .addToRequests("memory", new Quantity("256Mi"))
        .addToLimits("memory", new Quantity("512Mi"))
        .endResources()
        .addNewVolumeMount()
        .withName("config")
        .withMountPath(CONFIG_DIR)
        .withReadOnly(true)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("tmp")
        .withMountPath("/tmp")
        .endVolumeMount()
        .withStartupProbe(RuntimeDeployments.httpProbe(RuntimeHttp.HEALTH_READY, 1, 60))
        .withReadinessProbe(RuntimeDeployments.httpProbe(RuntimeHttp.HEALTH_READY, 5, 3))
        .withLivenessProbe(RuntimeDeployments.httpProbe(RuntimeHttp.HEALTH_LIVE, 10, 3))
        .withNewLifecycle()
        .withNewPreStop()
        .withNewSleep()
        .withSeconds((long) RuntimeDeployments.PRE_STOP_SLEEP_SECONDS)
        .endSleep()
        .endPreStop()
        .endLifecycle()
        .withSecurityContext(RuntimeDeployments.containerSecurityContext())
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .endContainer()
        .addNewVolume()
        .withName("config")
        .withNewConfigMap()
        .withName(ResourceNames.router(md))
        .endConfigMap()
        .endVolume()
        .addNewVolume()
        .withName("tmp")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  public static HorizontalPodAutoscaler autoscaler(ModelDeployment md) {
    return new HorizontalPodAutoscalerBuilder()
        .withMetadata(
            Owners.childMeta(
                md,
                ResourceNames.router(md),
                ResourceNames.labels(md, ResourceNames.COMPONENT_ROUTER)))
        .withNewSpec()
        .withNewScaleTargetRef()
        .withApiVersion("apps/v1")
        .withKind("Deployment")
        .withName(ResourceNames.router(md))
        .endScaleTargetRef()
        .withMinReplicas(MIN_REPLICAS)
        .withMaxReplicas(MAX_REPLICAS)
        .addNewMetric()
        .withType("Resource")
        .withNewResource()
        .withName("cpu")
        .withNewTarget()
        .withType("Utilization")
        .withAverageUtilization(TARGET_CPU)
        .endTarget()
        .endResource()
        .endMetric()
        .endSpec()
        .build();
  }
}
