package dev.skiff.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.skiff.operator.status.ConditionType;
import dev.skiff.operator.status.Conditions;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The API server rejects invalid ModelDeployments with readable messages (one case per CEL rule and
 * schema constraint); what CEL cannot check the operator reports as Ready=False + Warning.
 */
class ValidationIT extends ClusterTestSupport {

  private static final String V1 = "{name: v1, uri: \"https://x/m.onnx\"}";

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("no versions", "versions: []", "should have at least 1 items"),
        Arguments.of("versions missing", "model: m", "spec.versions: Required value"),
        Arguments.of(
            "duplicate version names",
            "versions: [{name: v1, uri: \"https://x/a\", weight: 50}, {name: v1, uri: \"https://x/b\", weight: 50}]",
            "version names must be unique"),
        Arguments.of(
            "version name not DNS-1035",
            "versions: [{name: V1_x, uri: \"https://x/a\"}]",
            "version name must be a DNS-1035 label"),
        Arguments.of(
            "weights not summing to 100",
            "versions: [{name: a, uri: \"https://x/a\", weight: 50}, {name: b, uri: \"https://x/b\", weight: 40}]",
            "version weights must sum to 100"),
        Arguments.of(
            "weight omitted with two versions",
            "versions: [{name: a, uri: \"https://x/a\", weight: 100}, {name: b, uri: \"https://x/b\"}]",
            "version weights must sum to 100"),
        Arguments.of(
            "weight above 100",
            "versions: [{name: a, uri: \"https://x/a\", weight: 101}]",
            "should be less than or equal to 100"),
        Arguments.of(
            "uri scheme not allowed",
            "versions: [{name: a, uri: \"ftp://x/a\"}]",
            "uri must start with one of https://, http://, s3://, pvc://, file://"),
        Arguments.of(
            "sha256 not 64 hex",
            "versions: [{name: a, uri: \"https://x/a\", sha256: \"abc123\"}]",
            "sha256 must be 64 hexadecimal digits"),
        Arguments.of(
            "gpu settings on a cpu version",
            "versions: [{name: a, uri: \"https://x/a\", gpu: {count: 1}}]",
            "gpu settings require device: gpu"),
        Arguments.of(
            "gpu resource name not a GPU",
            "versions: [{name: a, uri: \"https://x/a\", device: gpu, gpu: {resourceName: amd.com/gpu}}]",
            "spec.versions[0].gpu.resourceName"),
        Arguments.of(
            "unknown device",
            "versions: [{name: a, uri: \"https://x/a\", device: tpu}]",
            "Unsupported value: \"tpu\""),
        Arguments.of(
            "replicas and autoscaling together",
            "versions: [{name: a, uri: \"https://x/a\", replicas: 2, autoscaling: {maxReplicas: 3}}]",
            "set either replicas (fixed) or autoscaling for a version, not both"),
        Arguments.of(
            "autoscaling min above max",
            "versions: [" + V1 + "]\n  autoscaling: {minReplicas: 5, maxReplicas: 2}",
            "autoscaling.minReplicas must not exceed maxReplicas"),
        Arguments.of(
            "mirror of an unknown version",
            "versions: [" + V1 + "]\n  traffic: {mirror: {version: v9, percent: 10}}",
            "traffic.mirror.version must name one of spec.versions"),
        Arguments.of(
            "mirror onto the only version",
            "versions: [" + V1 + "]\n  traffic: {mirror: {version: v1, percent: 10}}",
            "must not be the version that receives all the traffic"),
        Arguments.of(
            "mirror onto the version with all the traffic",
            "versions: [{name: v1, uri: \"https://x/1.onnx\", weight: 100},"
                + " {name: v2, uri: \"https://x/2.onnx\", weight: 0}]\n"
                + "  traffic: {mirror: {version: v1}}",
            "must not be the version that receives all the traffic"),
        Arguments.of(
            "unknown tensor datatype",
            "versions: [" + V1 + "]\n  schema: {inputs: [{name: x, datatype: FP8, shape: [1]}]}",
            "Unsupported value: \"FP8\""),
        Arguments.of(
            "batch size zero",
            "versions: [" + V1 + "]\n  batching: {maxBatchSize: 0}",
            "should be greater than or equal to 1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void apiServerRejects(String title, String spec, String message) {
    String yaml =
        """
        apiVersion: skiff.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: bad}
        spec:
          %s
        """
            .formatted(spec);
    assertThatThrownBy(() -> apply(yaml))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining(message);
  }

  @Test
  void validCrIsAccepted() {
    apply(
        """
        apiVersion: skiff.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: fine}
        spec:
          versions: [{name: v1, uri: "s3://bucket/m.onnx", sha256: "%s"}]
        """
            .formatted("ab".repeat(32)));
    assertThat(md("fine").getSpec().getVersions().getFirst().getDevice()).isNotNull();
    awaitCondition("fine", ConditionType.READY, "True");
  }

  @Test
  void operatorReportsWhatCelCannotCheck() {
    String name = "a-rather-long-model-deployment-name-for-tests";
    apply(
        """
        apiVersion: skiff.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: %s}
        spec:
          versions: [{name: version-with-long-name, uri: "https://x/m.onnx"}]
        """
            .formatted(name));
    awaitCondition(name, ConditionType.READY, "False");
    var ready =
        Conditions.find(md(name).getStatus().getConditions(), ConditionType.READY).orElseThrow();
    assertThat(ready.getReason()).isEqualTo("InvalidSpec");
    assertThat(ready.getMessage()).contains("longer than 63 characters");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .v1()
                            .events()
                            .inNamespace(namespace)
                            .withField("involvedObject.name", name)
                            .list()
                            .getItems())
                    .anySatisfy(
                        e -> {
                          assertThat(e.getType()).isEqualTo("Warning");
                          assertThat(e.getReason()).isEqualTo("InvalidSpec");
                        }));
    assertThat(client.apps().deployments().inNamespace(namespace).list().getItems())
        .noneMatch(d -> d.getMetadata().getName().startsWith(name));
    // no hot retry: the status is not rewritten while nothing changes
    String rv = md(name).getMetadata().getResourceVersion();
    await().pollDelay(Duration.ofSeconds(5)).until(() -> true);
    assertThat(md(name).getMetadata().getResourceVersion()).isEqualTo(rv);
    // one Warning for one transition (Ready=False and Degraded=True once wrote one each)
    assertThat(
            client
                .v1()
                .events()
                .inNamespace(namespace)
                .withField("involvedObject.name", name)
                .list()
                .getItems())
        .filteredOn(e -> "Warning".equals(e.getType()))
        .hasSize(1);
  }
}
