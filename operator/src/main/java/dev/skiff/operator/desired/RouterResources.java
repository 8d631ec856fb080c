package dev.skiff.operator.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.skiff.api.v1alpha1.Mirror;
import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.RuntimeSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import java.io.UncheckedIOException;
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

  public static final String CONTAINER = "router";
  public static final String CONFIG_DIR = "/etc/skiff/router";
  public static final String CONFIG_FILE = CONFIG_DIR + "/" + ResourceNames.ROUTER_CONFIG_KEY;
  public static final int MIN_REPLICAS = 1;
  public static final int MAX_REPLICAS = 3;
  public static final int TARGET_CPU = 70;

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .build());

  private RouterResources() {}

  /** The router config file (format of docs/router.md), versions in plan order. */
  public static String render(ModelDeployment md, TrafficPlan plan) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("model", ResourceNames.modelName(md));
    List<Map<String, Object>> versions = new ArrayList<>();
    plan.configWeights()
        .forEach(
            (name, weight) -> {
              Map<String, Object> v = new LinkedHashMap<>();
              v.put("name", name);
              v.put("url", ResourceNames.versionUrl(md, name));
              v.put("weight", weight);
              versions.add(v);
            });
    doc.put("versions", versions);
    Mirror mirror =
        md.getSpec().getTraffic() == null ? null : md.getSpec().getTraffic().getMirror();
    if (mirror != null) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("version", mirror.getVersion());
      m.put("percent", Objects.requireNonNullElse(mirror.getPercent(), 100));
      doc.put("mirror", m);
    }
    try {
      return YAML.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
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
    annotations.put("prometheus.io/path", "/metrics");
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
        .withName(CONTAINER)
        .withImage(image)
        .withImagePullPolicy(
            runtime.getImagePullPolicy() == null ? null : runtime.getImagePullPolicy().name())
        .withArgs(
            "route",
            "--config",
            CONFIG_FILE,
            "--port",
            String.valueOf(ResourceNames.HTTP_PORT),
            "--shutdown-delay-s",
            String.valueOf(RuntimeDeployments.SHUTDOWN_DELAY_SECONDS))
        .addNewPort()
        .withName(ResourceNames.HTTP_PORT_NAME)
        .withContainerPort(ResourceNames.HTTP_PORT)
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
        .withStartupProbe(RuntimeDeployments.httpProbe("/health/ready", 1, 60))
        .withReadinessProbe(RuntimeDeployments.httpProbe("/health/ready", 5, 3))
        .withLivenessProbe(RuntimeDeployments.httpProbe("/health/live", 10, 3))
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
