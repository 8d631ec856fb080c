package dev.skiff.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.VersionStatus;
import dev.skiff.operator.status.ConditionType;
import dev.skiff.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The canary walkthrough of examples/canary.yaml with the patches its comments give: v1 alone, v2
 * added at 10 (the router appears and the stable Service moves to it), v2 promoted, v1 removed
 * (drained with weight 0 first, deleted after the drain period, then the router goes). Plus the
 * fallback to the router where parentRefs are set but the Gateway API is not installed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrafficRoutingIT extends ClusterTestSupport {

  private static final String NAME = "iris-canary";

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(namespace).withName(name).get();
  }

  private Service service(String name) {
    return client.services().inNamespace(namespace).withName(name).get();
  }

  private String routerConfig(String md) {
    ConfigMap cm = client.configMaps().inNamespace(namespace).withName(md + "-router").get();
    return cm == null ? null : cm.getData().get("router.yaml");
  }

  private void patch(String jsonPatch) {
    mds().inNamespace(namespace).withName(NAME).patch(PatchContext.of(PatchType.JSON), jsonPatch);
  }

  private static String version(String md, String ns, String name, int weight) {
    return "- name: "
        + name
        + "\n  url: http://"
        + md
        + "-"
        + name
        + "."
        + ns
        + ".svc:8080\n  weight: "
        + weight
        + "\n  grpcPort: 8081\n";
  }

  private boolean hasEvent(String reason, String text) {
    return events(NAME).stream()
        .anyMatch(
            e ->
                reason.equals(e.getReason())
                    && e.getMessage() != null
                    && e.getMessage().contains(text));
  }

  @Test
  @Order(1)
  void oneVersionIsServedDirectlyWithoutARouter() throws Exception {
    apply(example("canary.yaml"));
    awaitCondition(NAME, ConditionType.TRAFFIC_READY, "True");
    ModelDeployment md = md(NAME);
    assertThat(md.getStatus().getRouting()).isEqualTo("Service");
    assertThat(md.getStatus().getTraffic()).isEqualTo("v1=100");
    assertThat(service(NAME).getSpec().getSelector()).containsEntry("skiff.dev/version", "v1");
    assertThat(deployment(NAME + "-router")).isNull();
    assertThat(routerConfig(NAME)).isNull();
  }

  @Test
  @Order(2)
  void addingACanaryBringsUpTheRouterWithItsWeights() {
    patch(
        """
        [{"op": "replace", "path": "/spec/versions/0/weight", "value": 90},
         {"op": "add", "path": "/spec/versions/-", "value":
           {"name": "v2", "uri": "https://models.example.com/iris/v2/model.onnx", "weight": 10}}]
        """);
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(routerConfig(NAME))
                  .isEqualTo(
                      "model: iris\nversions:\n"
                          + version(NAME, namespace, "v1", 90)
                          + version(NAME, namespace, "v2", 10));
              assertThat(service(NAME).getSpec().getSelector())
                  .isEqualTo(
                      Map.of(
                          "app.kubernetes.io/instance",
                          NAME,
                          "app.kubernetes.io/component",
                          "router"));
            });
    awaitCondition(NAME, ConditionType.TRAFFIC_READY, "True");
    ModelDeployment md = md(NAME);
    assertThat(md.getStatus().getRouting()).isEqualTo("Router");
    assertThat(md.getStatus().getTraffic()).isEqualTo("v1=90,v2=10");
    assertThat(md.getStatus().getVersions())
        .extracting(
            VersionStatus::getName,
            VersionStatus::getDeclaredWeight,
            VersionStatus::getEffectiveWeight)
        .containsExactly(Tuple.tuple("v1", 90, 90), Tuple.tuple("v2", 10, 10));

    Deployment router = deployment(NAME + "-router");
    var container = router.getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(container.getArgs())
        .containsExactly(
            "route",
            "--config",
            "/etc/skiff/router/router.yaml",
            "--port",
            "8080",
            "--shutdown-delay-s",
            "2");
    assertThat(container.getImage()).isEqualTo(RUNTIME_IMAGE);
    assertThat(router.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(owner -> assertThat(owner.getName()).isEqualTo(NAME));
    assertThat(
            client
                .autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(namespace)
                .withName(NAME + "-router")
                .get())
        .isNotNull();
    await().atMost(TIMEOUT).until(() -> hasEvent("TrafficShifted", "v2 0→10"));
  }

  @Test
  @Order(3)
  void promotingTheCanaryRewritesTheConfigAndRecordsTheShift() {
    patch(
        """
        [{"op": "replace", "path": "/spec/versions/0/weight", "value": 0},
         {"op": "replace", "path": "/spec/versions/1/weight", "value": 100}]
        """);
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(routerConfig(NAME))
                    .isEqualTo(
                        "model: iris\nversions:\n"
                            + version(NAME, namespace, "v1", 0)
                            + version(NAME, namespace, "v2", 100)));
    await().atMost(TIMEOUT).until(() -> hasEvent("TrafficShifted", "v1 90→0, v2 10→100"));
    awaitCondition(NAME, ConditionType.TRAFFIC_READY, "True");
    assertThat(md(NAME).getStatus().getTraffic()).isEqualTo("v1=0,v2=100");
  }

  @Test
  @Order(4)
  void removingAVersionDrainsItBeforeDeletingIt() {
    patch("[{\"op\": \"remove\", \"path\": \"/spec/versions/0\"}]");

    // first the weight goes to 0 and the drain is recorded; the version's children stay
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              ModelDeployment md = md(NAME);
              assertThat(md.getStatus().getVersions())
                  .anySatisfy(
                      v -> {
                        assertThat(v.getName()).isEqualTo("v1");
                        assertThat(v.getDraining()).isTrue();
                        assertThat(v.getDrainingSince()).isNotNull();
                      });
            });
    ModelDeployment draining = md(NAME);
    Instant since =
        Instant.parse(
            draining.getStatus().getVersions().stream()
                .filter(v -> v.getName().equals("v1"))
                .findFirst()
                .orElseThrow()
                .getDrainingSince());
    assertThat(Conditions.find(draining.getStatus().getConditions(), ConditionType.TRAFFIC_READY))
        .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("Draining"));
    assertThat(draining.getStatus().getTraffic()).isEqualTo("v2=100,v1=0(draining)");
    assertThat(routerConfig(NAME))
        .isEqualTo(
            "model: iris\nversions:\n"
                + version(NAME, namespace, "v2", 100)
                + version(NAME, namespace, "v1", 0));
    assertThat(deployment(NAME + "-v1")).as("kept while draining").isNotNull();
    assertThat(service(NAME + "-v1")).as("kept while draining").isNotNull();

    // then, once the drain period is over, v1's children and the router go
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(deployment(NAME + "-v1")).isNull());
    assertThat(Instant.now())
        .as("deleted only after drainingSince + drainSeconds (10 s)")
        .isAfterOrEqualTo(since.plusSeconds(10));
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(service(NAME + "-v1")).isNull();
              assertThat(deployment(NAME + "-router")).as("one version: no router").isNull();
              assertThat(routerConfig(NAME)).isNull();
              assertThat(service(NAME).getSpec().getSelector())
                  .containsEntry("skiff.dev/version", "v2");
              // nothing of v1 is left: its model.yaml key goes with its Deployment
              assertThat(
                      client
                          .configMaps()
                          .inNamespace(namespace)
                          .withName(NAME + "-settings")
                          .get()
                          .getData())
                  .containsOnlyKeys("v2.model.yaml");
            });
    awaitCondition(NAME, ConditionType.TRAFFIC_READY, "True");
    ModelDeployment md = md(NAME);
    assertThat(md.getStatus().getRouting()).isEqualTo("Service");
    assertThat(md.getStatus().getVersions())
        .extracting(VersionStatus::getName)
        .containsExactly("v2");
    assertThat(events(NAME)).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("VersionDrained"));
  }

  @Test
  @Order(5)
  void parentRefsWithoutTheGatewayApiFallBackToTheRouter() {
    assumeThat(
            client
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("httproutes.gateway.networking.k8s.io")
                .get())
        .as("this cluster has the Gateway API installed (SKIFF_CLUSTER_INSTALL_GATEWAY_API=1)")
        .isNull();
    apply(
        """
        apiVersion: skiff.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: gw}
        spec:
          versions:
            - {name: a, uri: "https://models.example.com/m/a.onnx", weight: 60, replicas: 1}
            - {name: b, uri: "https://models.example.com/m/b.onnx", weight: 40, replicas: 1}
          traffic:
            gateway: {parentRefs: [{name: public, namespace: infra}]}
        """);
    awaitCondition("gw", ConditionType.READY, "True");
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              ModelDeployment md = md("gw");
              assertThat(
                      Conditions.find(md.getStatus().getConditions(), ConditionType.TRAFFIC_READY))
                  .hasValueSatisfying(
                      c -> {
                        assertThat(c.getStatus()).isEqualTo("False");
                        assertThat(c.getReason()).isEqualTo("GatewayAPIMissing");
                      });
              assertThat(md.getStatus().getRouting()).isEqualTo("Router");
              assertThat(routerConfig("gw")).contains("weight: 60", "weight: 40");
            });
    assertThat(events("gw"))
        .anySatisfy(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo("GatewayAPIMissing");
            });
    assertThat(operator.isReady()).as("the operator runs without the Gateway API").isTrue();
  }
}
