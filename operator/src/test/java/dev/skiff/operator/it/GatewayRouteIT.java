package dev.skiff.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.status.ConditionType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * With the Gateway API CRDs installed (from the cached {@code sigs.k8s.io/gateway-api} files, after
 * the operator started, so it must notice them), parentRefs give an HTTPRoute with weighted
 * backendRefs and no router, and a GRPCRoute beside it to the gRPC ports; removing parentRefs
 * brings the router back. The CRDs this class installed are removed again, so the other ITs see a
 * cluster without them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayRouteIT extends ClusterTestSupport {

  private static final String NAME = "gwiris";
  private final List<String> installed = new ArrayList<>();

  @BeforeAll
  void installGatewayApi() throws IOException {
    Path dir = Path.of(System.getProperty("skiff.gatewayApiCrds", "../.cluster/crds/gateway-api"));
    assertThat(dir)
        .as("Gateway API CRD files (hack/cluster/README.md: .cluster/crds/gateway-api)")
        .isDirectory();
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
    }
    var crds = client.apiextensions().v1().customResourceDefinitions();
    for (Path file : files) {
      List<HasMetadata> items;
      try (InputStream in = Files.newInputStream(file)) {
        items = client.load(in).items();
      }
      for (HasMetadata item : items) {
        if (item instanceof CustomResourceDefinition crd
            && crds.withName(crd.getMetadata().getName()).get() == null) {
          crds.resource(crd).create();
          installed.add(crd.getMetadata().getName());
        }
      }
    }
    crds.withName("httproutes.gateway.networking.k8s.io")
        .waitUntilCondition(
            c ->
                c != null
                    && c.getStatus() != null
                    && c.getStatus().getConditions() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            k -> "Established".equals(k.getType()) && "True".equals(k.getStatus())),
            60,
            TimeUnit.SECONDS);
  }

  @AfterAll
  void uninstallGatewayApi() {
    stopOperator();
    for (String name : installed) {
      client.apiextensions().v1().customResourceDefinitions().withName(name).delete();
    }
  }

  private HTTPRoute route() {
    return client.resources(HTTPRoute.class).inNamespace(namespace).withName(NAME).get();
  }

  private void apply(int w1, int w2, boolean gateway) {
    apply(
        """
        apiVersion: skiff.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: gwiris}
        spec:
          model: iris
          versions:
            - {name: v1, uri: "https://models.example.com/iris/v1.onnx", weight: %d, replicas: 1}
            - {name: v2, uri: "https://models.example.com/iris/v2.onnx", weight: %d, replicas: 1}
        %s
        """
            .formatted(
                w1,
                w2,
                gateway
                    ? "  traffic:\n    gateway: {parentRefs: [{name: public, sectionName: http}]}"
                    : ""));
  }

  private GRPCRoute grpcRoute() {
    return client.resources(GRPCRoute.class).inNamespace(namespace).withName(NAME).get();
  }

  private List<Integer> grpcWeights() {
    return grpcRoute().getSpec().getRules().getFirst().getBackendRefs().stream()
        .map(GRPCBackendRef::getWeight)
        .toList();
  }

  private List<Integer> weights() {
    return route().getSpec().getRules().getFirst().getBackendRefs().stream()
        .map(HTTPBackendRef::getWeight)
        .toList();
  }

  @Test
  @Order(1)
  void parentRefsGiveAWeightedHttpRouteAndNoRouter() {
    apply(70, 30, true);
    awaitCondition(NAME, ConditionType.TRAFFIC_READY, "True");
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              HTTPRoute route = route();
              assertThat(route).isNotNull();
              assertThat(route.getSpec().getParentRefs())
                  .singleElement()
                  .satisfies(
                      p -> {
                        assertThat(p.getName()).isEqualTo("public");
                        assertThat(p.getSectionName()).isEqualTo("http");
                      });
              assertThat(route.getSpec().getRules().getFirst().getBackendRefs())
                  .extracting(HTTPBackendRef::getName, HTTPBackendRef::getWeight)
                  .containsExactly(Tuple.tuple("gwiris-v1", 70), Tuple.tuple("gwiris-v2", 30));
              GRPCRoute grpc = grpcRoute();
              assertThat(grpc).as("the GRPCRoute beside the HTTPRoute").isNotNull();
              assertThat(grpc.getSpec().getRules().getFirst().getBackendRefs())
                  .extracting(
                      GRPCBackendRef::getName, GRPCBackendRef::getPort, GRPCBackendRef::getWeight)
                  .containsExactly(
                      Tuple.tuple("gwiris-v1", 8081, 70), Tuple.tuple("gwiris-v2", 8081, 30));
            });
    ModelDeployment md = md(NAME);
    assertThat(md.getStatus().getRouting()).isEqualTo("HTTPRoute");
    assertThat(route().getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(md.getMetadata().getUid()));
    assertThat(client.apps().deployments().inNamespace(namespace).withName(NAME + "-router").get())
        .isNull();
    assertThat(client.configMaps().inNamespace(namespace).withName(NAME + "-router").get())
        .isNull();
  }

  @Test
  @Order(2)
  void changingWeightsUpdatesTheHttpRoute() {
    apply(20, 80, true);
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(weights()).containsExactly(20, 80);
              assertThat(grpcWeights()).containsExactly(20, 80);
            });
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                events(NAME).stream()
                    .anyMatch(
                        e ->
                            "TrafficShifted".equals(e.getReason())
                                && e.getMessage().equals("v1 70→20, v2 30→80")));
  }

  @Test
  @Order(3)
  void withoutParentRefsTheRouterReplacesTheHttpRoute() {
    apply(20, 80, false);
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(route()).isNull();
              assertThat(grpcRoute()).isNull();
              assertThat(
                      client.configMaps().inNamespace(namespace).withName(NAME + "-router").get())
                  .isNotNull();
              assertThat(md(NAME).getStatus().getRouting()).isEqualTo("Router");
            });
    awaitCondition(NAME, ConditionType.TRAFFIC_READY, "True");
  }
}
