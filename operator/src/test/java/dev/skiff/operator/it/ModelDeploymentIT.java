package dev.skiff.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.VersionStatus;
import dev.skiff.operator.status.ConditionType;
import dev.skiff.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The iris example through its life: create, become Ready, idle, restart, update, change versions,
 * delete. Each test deploys a ModelDeployment of its own name, so the tests run in any order and
 * one failing leaves the others' start intact; waits are for conditions the cluster shows, never
 * fixed sleeps.
 */
class ModelDeploymentIT extends ClusterTestSupport {

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(namespace).withName(name).get();
  }

  private Service service(String name) {
    return client.services().inNamespace(namespace).withName(name).get();
  }

  private HorizontalPodAutoscaler hpa(String name) {
    return client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(namespace)
        .withName(name)
        .get();
  }

  /** The iris example under another name, applied and Ready. */
  private void deployIris(String name) throws Exception {
    apply(example("iris.yaml").replace("\n  name: iris\n", "\n  name: " + name + "\n"));
    awaitCondition(name, ConditionType.READY, "True");
  }

  private List<HasMetadata> managedChildren(String name) {
    String selector = "app.kubernetes.io/instance=" + name;
    return Stream.of(
            client
                .apps()
                .deployments()
                .inNamespace(namespace)
                .withLabel(selector)
                .list()
                .getItems(),
            client.services().inNamespace(namespace).withLabel(selector).list().getItems(),
            client
                .autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(namespace)
                .withLabel(selector)
                .list()
                .getItems(),
            client.configMaps().inNamespace(namespace).withLabel(selector).list().getItems())
        .flatMap(List::stream)
        .map(HasMetadata.class::cast)
        .toList();
  }

  /**
   * What the operator could have written: the ModelDeployment's resourceVersion (only the operator
   * writes its status) and, for each child, the resourceVersion of objects without a status, else
   * the generation plus every non-status managedFields entry (controllers such as the HPA's keep
   * updating the children's status subresource, which is not the operator's doing).
   */
  private Map<String, String> writeFingerprint(String name) {
    Map<String, String> versions = new TreeMap<>();
    ModelDeployment md = md(name);
    versions.put("ModelDeployment/" + name, md.getMetadata().getResourceVersion());
    for (HasMetadata child : managedChildren(name)) {
      String key = child.getKind() + "/" + child.getMetadata().getName();
      if (child instanceof ConfigMap || child instanceof Service) {
        versions.put(key, child.getMetadata().getResourceVersion());
      } else {
        versions.put(
            key,
            "generation="
                + child.getMetadata().getGeneration()
                + " "
                + child.getMetadata().getManagedFields().stream()
                    .filter(f -> !"status".equals(f.getSubresource()))
                    .map(f -> f.getManager() + "@" + f.getTime())
                    .sorted()
                    .toList());
      }
    }
    return versions;
  }

  /**
   * Waits until pod and Deployment status events have been reconciled: the fingerprint is the same
   * on two polls a second apart. Returns it.
   */
  private Map<String, String> awaitSettled(String name) {
    AtomicReference<Map<String, String>> last = new AtomicReference<>(Map.of());
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              Map<String, String> now = writeFingerprint(name);
              return now.equals(last.getAndSet(now));
            });
    return last.get();
  }

  @Test
  void exampleBecomesReadyWithExpectedChildren() throws Exception {
    String name = "iris";
    apply(example("iris.yaml"));
    awaitCondition(name, ConditionType.READY, "True");

    // Ready and the traffic part can land in different status writes: wait for both
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(md(name).getStatus().getVersions())
                    .singleElement()
                    .satisfies(
                        v -> {
                          assertThat(v.getName()).isEqualTo("v1");
                          assertThat(v.getReadyReplicas()).isEqualTo(1);
                          assertThat(v.getDesiredReplicas()).isEqualTo(1);
                          assertThat(v.getDeclaredWeight()).isEqualTo(100);
                          assertThat(v.getEffectiveWeight()).isEqualTo(100);
                          assertThat(v.getReady()).isTrue();
                        }));
    ModelDeployment md = md(name);
    assertThat(md.getStatus().getObservedGeneration()).isEqualTo(md.getMetadata().getGeneration());
    assertThat(md.getStatus().getUrl()).isEqualTo("http://iris." + namespace + ".svc:8080");
    assertThat(Conditions.find(md.getStatus().getConditions(), ConditionType.DEGRADED))
        .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("False"));

    Deployment d = deployment("iris-v1");
    assertThat(d.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getUid()).isEqualTo(md.getMetadata().getUid());
              assertThat(o.getController()).isTrue();
            });
    assertThat(d.getMetadata().getLabels())
        .containsEntry("skiff.dev/model", "iris")
        .containsEntry("skiff.dev/version", "v1")
        .containsEntry("app.kubernetes.io/managed-by", "skiff-operator");
    assertThat(d.getStatus().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Available");
              assertThat(c.getStatus()).isEqualTo("True");
            });
    Container server = d.getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(server.getImage()).isEqualTo(RUNTIME_IMAGE);
    assertThat(server.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
    assertThat(server.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
    assertThat(server.getStartupProbe()).isNotNull();
    assertThat(server.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(server.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(d.getSpec().getTemplate().getSpec().getInitContainers())
        .singleElement()
        .satisfies(c -> assertThat(c.getArgs()).startsWith("fetch"));

    assertThat(service("iris").getSpec().getSelector()).containsEntry("skiff.dev/version", "v1");
    assertThat(service("iris-v1").getSpec().getPorts().getFirst().getPort()).isEqualTo(8080);
    HorizontalPodAutoscaler hpa = hpa("iris-v1");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(1);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(3);
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("iris-v1");
    ConfigMap settings = client.configMaps().inNamespace(namespace).withName("iris-settings").get();
    assertThat(settings.getData().get("v1.model.yaml")).contains("name: iris", "maxBatchSize: 32");

    assertThat(managedChildren(name))
        .extracting(c -> c.getKind() + "/" + c.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "Deployment/iris-v1",
            "Service/iris",
            "Service/iris-v1",
            "Service/iris-peers",
            "HorizontalPodAutoscaler/iris-v1",
            "ConfigMap/iris-settings");
  }

  /**
   * The test cluster has no metrics-server, so the HPA controller reports ScalingActive=False with
   * FailedGetResourceMetric about 15 s after the HPA is created, long after kwok's pods are ready:
   * only the HPA's status change can bring it into the ModelDeployment's status.
   */
  @Test
  void scalingReadyCarriesTheAutoscalersOwnReason() throws Exception {
    String name = "iris-scaling";
    deployIris(name);
    awaitCondition(name, ConditionType.SCALING_READY, "False");
    var scaling =
        Conditions.find(md(name).getStatus().getConditions(), ConditionType.SCALING_READY)
            .orElseThrow();
    HorizontalPodAutoscaler v1 = hpa(name + "-v1");
    var active =
        v1.getStatus().getConditions().stream()
            .filter(c -> "ScalingActive".equals(c.getType()))
            .findFirst()
            .orElseThrow();
    assertThat(scaling.getReason()).isEqualTo(active.getReason());
    assertThat(scaling.getMessage())
        .isEqualTo("v1: " + active.getReason() + ": " + active.getMessage());
    System.out.println("ScalingReady: " + scaling.getReason() + ": " + scaling.getMessage());
  }

  @Test
  void idleOperatorAndRestartMakeNoWrites() throws Exception {
    String name = "iris-idle";
    deployIris(name);
    // The HPA controller reports ScalingActive=False (no metrics-server) about 15 s after the HPA
    // is created, and that status change rightly rewrites ScalingReady: wait for it, or it can
    // land during the restart below and look like a write of the restarted operator.
    awaitCondition(name, ConditionType.SCALING_READY, "False");
    Map<String, String> settled = awaitSettled(name);
    String statusBefore = Serialization.asYaml(md(name).getStatus());
    // reconciles keep coming (pod and Deployment status, the periodic one); none may write
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> writeFingerprint(name).equals(settled));
    assertThat(writeFingerprint(name))
        .as(
            () ->
                "idle reconciles must not write; status before:\n"
                    + statusBefore
                    + "after:\n"
                    + Serialization.asYaml(md(name).getStatus()))
        .isEqualTo(settled);

    stopOperator();
    startOperator();
    await().atMost(TIMEOUT).until(() -> reconciles.completed(name) >= 1);
    assertThat(writeFingerprint(name))
        .as(
            () ->
                "a restarted operator's first reconcile must not rewrite; status before:\n"
                    + statusBefore
                    + "after:\n"
                    + Serialization.asYaml(md(name).getStatus()))
        .isEqualTo(settled);
    awaitCondition(name, ConditionType.READY, "True");
  }

  @Test
  void updatingTheSpecUpdatesChildren() throws Exception {
    String name = "iris-update";
    deployIris(name);
    ModelDeployment md = md(name);
    md.getSpec().getVersions().getFirst().setUri("https://models.example.com/iris/v1b/model.onnx");
    md.getSpec().getAutoscaling().setMaxReplicas(5);
    md.getMetadata().setManagedFields(null);
    mds().inNamespace(namespace).resource(md).update();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              assertThat(hpa(name + "-v1").getSpec().getMaxReplicas()).isEqualTo(5);
              assertThat(
                      deployment(name + "-v1")
                          .getSpec()
                          .getTemplate()
                          .getSpec()
                          .getInitContainers()
                          .getFirst()
                          .getArgs())
                  .contains("https://models.example.com/iris/v1b/model.onnx");
            });
    awaitCondition(name, ConditionType.READY, "True");
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                Objects.equals(
                    md(name).getStatus().getObservedGeneration(),
                    md(name).getMetadata().getGeneration()));
  }

  @Test
  void addingAndRemovingAVersion() throws Exception {
    String name = "iris-versions";
    deployIris(name);
    apply(
        """
        apiVersion: skiff.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: iris-versions}
        spec:
          versions:
            - {name: v1, uri: "https://models.example.com/iris/v1b/model.onnx", weight: 70}
            - {name: v2, uri: "https://models.example.com/iris/v2/model.onnx", weight: 30, replicas: 2}
          autoscaling: {minReplicas: 1, maxReplicas: 5}
        """);
    // stop the operator while it is working on the change, start a new one: it must converge
    stopOperator();
    startOperator();
    awaitCondition(name, ConditionType.READY, "True");
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              ModelDeployment md = md(name);
              assertThat(md.getStatus().getTraffic()).isEqualTo("v1=70,v2=30");
              assertThat(md.getStatus().getRouting()).isEqualTo("Router");
              assertThat(md.getStatus().getVersions())
                  .extracting(VersionStatus::getName, VersionStatus::getReadyReplicas)
                  .containsExactly(Tuple.tuple("v1", 1), Tuple.tuple("v2", 2));
            });
    assertThat(deployment(name + "-v2").getSpec().getReplicas()).isEqualTo(2);
    assertThat(hpa(name + "-v2")).as("fixed replicas: no HPA").isNull();
    assertThat(service(name + "-v2")).isNotNull();
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(service(name).getSpec().getSelector())
                    .as("two versions: the stable Service selects the router")
                    .containsEntry("app.kubernetes.io/component", "router")
                    .doesNotContainKey("skiff.dev/version"));
    assertThat(managedChildren(name))
        .extracting(c -> c.getKind() + "/" + c.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "Deployment/iris-versions-v1",
            "Deployment/iris-versions-v2",
            "Deployment/iris-versions-router",
            "Service/iris-versions",
            "Service/iris-versions-v1",
            "Service/iris-versions-v2",
            "Service/iris-versions-peers",
            "HorizontalPodAutoscaler/iris-versions-v1",
            "HorizontalPodAutoscaler/iris-versions-router",
            "ConfigMap/iris-versions-settings",
            "ConfigMap/iris-versions-router");

    apply(
        """
        apiVersion: skiff.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: iris-versions}
        spec:
          versions:
            - {name: v1, uri: "https://models.example.com/iris/v1b/model.onnx", weight: 100}
        """);
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              assertThat(deployment(name + "-v2")).isNull();
              assertThat(service(name + "-v2")).isNull();
              assertThat(deployment(name + "-router")).isNull();
              assertThat(service(name).getSpec().getSelector())
                  .containsEntry("skiff.dev/version", "v1");
            });
    awaitCondition(name, ConditionType.READY, "True");
  }

  @Test
  void deletingGarbageCollectsChildren() throws Exception {
    String name = "iris-delete";
    deployIris(name);
    assertThat(managedChildren(name)).hasSize(6);
    mds().inNamespace(namespace).withName(name).delete();
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(managedChildren(name)).isEmpty());
  }
}
