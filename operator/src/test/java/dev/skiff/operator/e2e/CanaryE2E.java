package dev.skiff.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.api.contract.Device;
import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelVersion;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Scenario g: examples/fashion-canary.yaml as a user applies it, its two versions (the scikit-learn
 * SVM and the XGBoost classifier of examples/models) fetched from the cluster's model store. Only
 * what this node cannot offer is changed: the URIs point at the store, v2 runs on the CPU (the node
 * has no GPU) and the CPU requests are smaller (two cores for every pod of the tier). Both versions
 * answer the held-out digits of examples/requests/digits.json with their labels, 90/10 behind the
 * router, with the example's token.
 */
class CanaryE2E extends RealNodeSupport {

  private static final String MD = "fashion";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int REQUESTS = 200;

  @Override
  Map<String, Path> storeFiles() {
    Map<String, Path> files = new LinkedHashMap<>();
    for (String model : List.of("digits-svm", "digits-xgboost")) {
      files.put(model + "/v1/model.onnx", EXAMPLES.resolve("models/" + model + "/v1/model.onnx"));
    }
    return files;
  }

  @Test
  void bothVersionsOfTheCanaryExampleAnswerTheHeldOutDigits() throws Exception {
    // the example's two documents: the ModelDeployment, then the Secret with its tokens
    String[] documents = Files.readString(EXAMPLES.resolve("fashion-canary.yaml")).split("\n---\n");
    assertThat(documents).hasSize(2);
    ModelDeployment md =
        client.getKubernetesSerialization().unmarshal(documents[0], ModelDeployment.class);
    Secret tokens = client.getKubernetesSerialization().unmarshal(documents[1], Secret.class);
    for (ModelVersion version : md.getSpec().getVersions()) {
      String file = version.getName().equals("v1") ? "digits-svm" : "digits-xgboost";
      String path = file + "/v1/model.onnx";
      if (version.getSha256() != null) {
        assertThat(version.getSha256())
            .as("the example's sha256 of %s is the committed file's", path)
            .isEqualTo(store.sha256(path));
      }
      version.setUri(store.uri(path));
      version.setSha256(store.sha256(path));
      version.setDevice(Device.CPU);
      version.setGpu(null);
    }
    md.getSpec()
        .getRuntime()
        .setResources(
            new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("50m"))
                .addToRequests("memory", new Quantity("256Mi"))
                .addToLimits("memory", new Quantity("1Gi"))
                .build());
    md.getSpec()
        .getRuntime()
        .setEnv(List.of(new EnvVar("SKIFF_FETCH_ALLOW_PRIVATE_ADDRESSES", "true", null)));
    for (HasMetadata item : List.of(tokens, md)) {
      item.getMetadata().setNamespace(namespace);
      client.resource(item).inNamespace(namespace).forceConflicts().serverSideApply();
    }
    Duration ready = awaitReady(MD);
    Duration split = awaitRouterWeights(MD, Map.of("v1", 90, "v2", 10));

    String infer = serviceUrl(MD) + "/v2/models/digits-tabular/infer";
    String body = Files.readString(EXAMPLES.resolve("requests/digits.json"));
    Map<String, Integer> byVersion = new TreeMap<>();
    for (int i = 0; i < REQUESTS; i++) {
      HttpResponse<String> answer = send(post(infer, body, "Authorization", "Bearer change-me-1"));
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      JsonNode label = null;
      for (JsonNode output : JSON.readTree(answer.body()).get("outputs")) {
        if (output.get("name").asText().equals("label")) {
          label = output.get("data");
        }
      }
      assertThat(label).as("labels of the two held-out digits: %s", answer.body()).isNotNull();
      assertThat(label.toString()).isEqualTo("[3,7]");
      byVersion.merge(
          answer.headers().firstValue("X-Model-Version").orElseThrow(), 1, Integer::sum);
    }
    assertThat(byVersion).containsOnlyKeys("v1", "v2");
    // exact per router pod; two router pods each keep their own count
    assertThat(byVersion.get("v1")).isBetween(REQUESTS * 85 / 100, REQUESTS * 95 / 100);
    Figures.record(
        "g. canary",
        "examples/fashion-canary.yaml (digits-svm v1, digits-xgboost v2) apply → Ready",
        ServeE2E.seconds(ready) + "; router at 90/10 after " + ServeE2E.seconds(split));
    Figures.record(
        "g. canary",
        REQUESTS + " held-out digit requests through the stable Service",
        "all answered [3, 7]; by version " + byVersion);
  }
}
