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
import java.util.stream.Stream;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The iris example through its life: create, become Ready, idle, restart, update, delete. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelDeploymentIT extends ClusterTestSupport {

  private static final String NAME = "iris";

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

  private List<HasMetadata> managedChildren() {
    String selector = "app.kubernetes.io/instance=" + NAME;
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
  private Map<String, String> writeFingerprint() {
    Map<String, String> versions = new TreeMap<>();
    ModelDeployment md = md(NAME);
    versions.put("ModelDeployment/" + NAME, md.getMetadata().getResourceVersion());
    for (HasMetadata child : managedChildren()) {
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

  @Test
  @Order(1)
  void exampleBecomesReadyWithExpectedChildren() throws Exception {
    apply(example("iris.yaml"));
    awaitCondition(NAME, ConditionType.READY, "True");

    ModelDeployment md = md(NAME);
    assertThat(md.getStatus().getObservedGeneration()).isEqualTo(md.getMetadata().getGeneration());
    assertThat(md.getStatus().getUrl()).isEqualTo("http://iris." + namespace + ".svc:8080");
    assertThat(md.getStatus().getVersions())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getName()).isEqualTo("v1");
              assertThat(v.getReadyReplicas()).isEqualTo(1);
              assertThat(v.getDesiredReplicas()).isEqualTo(1);
              assertThat(v.getDeclaredWeight()).isEqualTo(100);
              assertThat(v.getEffectiveWeight()).isEqualTo(100);
              assertThat(v.getReady()).isTrue();
            });
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

    assertThat(managedChildren())
        .extracting(c -> c.getKind() + "/" + c.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "Deployment/iris-v1",
            "Service/iris",
            "Service/iris-v1",
            "HorizontalPodAutoscaler/iris-v1",
            "ConfigMap/iris-settings");
  }

  @Test
  @Order(2)
  void idleOperatorAndRestartMakeNoWrites() throws Exception {
    // let pod/deployment status events settle, then nothing may change
    Thread.sleep(3000);
    Map<String, String> before = writeFingerprint();
    String statusBefore = Serialization.asYaml(md(NAME).getStatus());
    Thread.sleep(5000);
    assertThat(writeFingerprint())
        .as(
            () ->
                "idle reconciles must not write; status before:\n"
                    + statusBefore
                    + "after:\n"
                    + Serialization.asYaml(md(NAME).getStatus()))
        .isEqualTo(before);

    stopOperator();
    startOperator();
    Thread.sleep(8000);
    assertThat(writeFingerprint()).as("a restarted operator must not rewrite").isEqualTo(before);
    awaitCondition(NAME, ConditionType.READY, "True");
  }

  @Test
  @Order(3)
  void updatingTheSpecUpdatesChildren() {
    ModelDeployment md = md(NAME);
    md.getSpec().getVersions().getFirst().setUri("https://models.example.com/iris/v1b/model.onnx");
    md.getSpec().getAutoscaling().setMaxReplicas(5);
    md.getMetadata().setManagedFields(null);
    mds().inNamespace(namespace).resource(md).update();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              assertThat(hpa("iris-v1").getSpec().getMaxReplicas()).isEqualTo(5);
              assertThat(
                      deployment("iris-v1")
                          .getSpec()
                          .getTemplate()
                          .getSpec()
                          .getInitContainers()
                          .getFirst()
                          .getArgs())
                  .contains("https://models.example.com/iris/v1b/model.onnx");
            });
    awaitCondition(NAME, ConditionType.READY, "True");
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                Objects.equals(
                    md(NAME).getStatus().getObservedGeneration(),
                    md(NAME).getMetadata().getGeneration()));
  }

  @Test
  @Order(4)
  void addingAndRemovingAVersion() {
    apply(
        """
        apiVersion: skiff.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: iris}
        spec:
          versions:
            - {name: v1, uri: "https://models.example.com/iris/v1b/model.onnx", weight: 70}
            - {name: v2, uri: "https://models.example.com/iris/v2/model.onnx", weight: 30, replicas: 2}
          autoscaling: {minReplicas: 1, maxReplicas: 5}
        """);
    // stop the operator while it is working on the change, start a new one: it must converge
    stopOperator();
    startOperator();
    awaitCondition(NAME, ConditionType.READY, "True");
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              ModelDeployment md = md(NAME);
              assertThat(md.getStatus().getTraffic()).isEqualTo("v1=70,v2=30");
              assertThat(md.getStatus().getRouting()).isEqualTo("Router");
              assertThat(md.getStatus().getVersions())
                  .extracting(VersionStatus::getName, VersionStatus::getReadyReplicas)
                  .containsExactly(Tuple.tuple("v1", 1), Tuple.tuple("v2", 2));
            });
    assertThat(deployment("iris-v2").getSpec().getReplicas()).isEqualTo(2);
    assertThat(hpa("iris-v2")).as("fixed replicas: no HPA").isNull();
    assertThat(service("iris-v2")).isNotNull();
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(service("iris").getSpec().getSelector())
                    .as("two versions: the stable Service selects the router")
                    .containsEntry("app.kubernetes.io/component", "router")
                    .doesNotContainKey("skiff.dev/version"));
    assertThat(managedChildren())
        .extracting(c -> c.getKind() + "/" + c.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "Deployment/iris-v1",
            "Deployment/iris-v2",
            "Deployment/iris-router",
            "Service/iris",
            "Service/iris-v1",
            "Service/iris-v2",
            "HorizontalPodAutoscaler/iris-v1",
            "HorizontalPodAutoscaler/iris-router",
            "ConfigMap/iris-settings",
            "ConfigMap/iris-router");

    apply(
        """
        apiVersion: skiff.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: iris}
        spec:
          versions:
            - {name: v1, uri: "https://models.example.com/iris/v1b/model.onnx", weight: 100}
        """);
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              assertThat(deployment("iris-v2")).isNull();
              assertThat(service("iris-v2")).isNull();
              assertThat(deployment("iris-router")).isNull();
              assertThat(service("iris").getSpec().getSelector())
                  .containsEntry("skiff.dev/version", "v1");
            });
    awaitCondition(NAME, ConditionType.READY, "True");
  }

  @Test
  @Order(5)
  void deletingGarbageCollectsChildren() {
    mds().inNamespace(namespace).withName(NAME).delete();
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(managedChildren()).isEmpty());
  }
}
