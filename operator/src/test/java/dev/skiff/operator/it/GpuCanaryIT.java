package dev.skiff.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.VersionStatus;
import dev.skiff.operator.status.ConditionType;
import dev.skiff.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GPU scheduling on a fake kwok node that advertises {@code nvidia.com/gpu.shared} and carries the
 * usual GPU taint, plus a version that can never be scheduled (Degraded, the other stays Ready).
 */
class GpuCanaryIT extends ClusterTestSupport {

  private String gpuNode;

  @BeforeAll
  void addGpuNode() {
    gpuNode = "skiff-it-gpu-" + namespace.substring(namespace.length() - 6);
    Map<String, Quantity> capacity =
        Map.of(
            "cpu", new Quantity("16"),
            "memory", new Quantity("64Gi"),
            "pods", new Quantity("110"),
            "nvidia.com/gpu", new Quantity("4"),
            "nvidia.com/gpu.shared", new Quantity("8"));
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(gpuNode)
            .addToLabels("type", "kwok")
            .addToLabels("skiff.dev/test-gpu", "true")
            .addToAnnotations("kwok.x-k8s.io/node", "fake")
            .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
            .endMetadata()
            .withNewSpec()
            .addNewTaint()
            .withKey("nvidia.com/gpu")
            .withValue("present")
            .withEffect("NoSchedule")
            .endTaint()
            .endSpec()
            .withNewStatus()
            .withCapacity(capacity)
            .withAllocatable(capacity)
            .endStatus()
            .build();
    client.nodes().resource(node).create();
    // kwok adopts the node and reports it Ready
    await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              Node n = client.nodes().withName(gpuNode).get();
              return n != null
                  && n.getStatus() != null
                  && n.getStatus().getConditions() != null
                  && n.getStatus().getConditions().stream()
                      .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            });
  }

  @AfterAll
  void removeGpuNode() {
    if (gpuNode != null) {
      client.nodes().withName(gpuNode).delete();
    }
  }

  @Test
  void canaryOnSharedGpuBecomesReady() throws Exception {
    apply(example("fashion-canary.yaml"));
    awaitCondition("fashion", ConditionType.READY, "True");

    Deployment v2 = client.apps().deployments().inNamespace(namespace).withName("fashion-v2").get();
    var server = v2.getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(server.getResources().getLimits())
        .containsEntry("nvidia.com/gpu.shared", new Quantity("1"))
        .doesNotContainKey("nvidia.com/gpu");
    assertThat(server.getEnv()).anySatisfy(e -> assertThat(e.getValue()).isEqualTo("gpu"));
    assertThat(v2.getSpec().getTemplate().getSpec().getTolerations())
        .anySatisfy(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
    List<Pod> v2Pods =
        client.pods().inNamespace(namespace).withLabel("skiff.dev/version", "v2").list().getItems();
    assertThat(v2Pods)
        .isNotEmpty()
        .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo(gpuNode));

    ModelDeployment md = md("fashion");
    assertThat(md.getStatus().getModel()).isEqualTo("digits-tabular");
    assertThat(md.getStatus().getVersions())
        .extracting(
            VersionStatus::getName,
            VersionStatus::getReadyReplicas,
            VersionStatus::getDeclaredWeight)
        .containsExactly(Tuple.tuple("v1", 2, 90), Tuple.tuple("v2", 1, 10));
  }

  @Test
  void unschedulableVersionDegradesWhileOtherStaysReady() {
    apply(
        """
        apiVersion: skiff.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: stuck}
        spec:
          versions:
            - {name: good, uri: "https://models.example.com/m/1/model.onnx", weight: 50}
            - name: big
              uri: "https://models.example.com/m/2/model.onnx"
              weight: 50
              device: gpu
              gpu: {resourceName: nvidia.com/mig-7g.80gb}
        """);
    awaitCondition("stuck", ConditionType.DEGRADED, "True");
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              ModelDeployment md = md("stuck");
              assertThat(Conditions.find(md.getStatus().getConditions(), ConditionType.READY))
                  .hasValueSatisfying(
                      c -> {
                        assertThat(c.getStatus()).isEqualTo("False");
                        assertThat(c.getMessage()).contains("big: Unschedulable");
                      });
              VersionStatus good = md.getStatus().getVersions().get(0);
              VersionStatus big = md.getStatus().getVersions().get(1);
              assertThat(good.getReady()).isTrue();
              assertThat(good.getReadyReplicas()).isEqualTo(1);
              assertThat(big.getReady()).isFalse();
              assertThat(big.getReason()).isEqualTo("Unschedulable");
              assertThat(big.getMessage()).contains("nvidia.com/mig-7g.80gb");
            });
    assertThat(
            client
                .v1()
                .events()
                .inNamespace(namespace)
                .withField("involvedObject.name", "stuck")
                .list()
                .getItems())
        .anySatisfy(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo("VersionFailed");
            });
  }
}
