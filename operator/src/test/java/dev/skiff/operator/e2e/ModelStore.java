package dev.skiff.operator.e2e;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP model store inside the test namespace, as a user would run one: the example model files
 * in a ConfigMap, copied into an emptyDir (the JDK's file server does not follow the ConfigMap
 * volume's symlinks) and served by {@code jwebserver} (module jdk.httpserver) from the runtime
 * image on port 8000, behind the Service {@code model-store}. Model URIs use its cluster DNS name,
 * so every fetch also proves that cluster DNS works inside pods.
 */
final class ModelStore {

  static final String NAME = "model-store";
  static final int PORT = 8000;

  private final String namespace;
  private final Map<String, String> sha256ByPath;

  private ModelStore(String namespace, Map<String, String> sha256ByPath) {
    this.namespace = namespace;
    this.sha256ByPath = sha256ByPath;
  }

  /**
   * Deploys the store with {@code files}: store path (e.g. {@code iris/v1/model.onnx}) → file, and
   * waits until it answers.
   */
  static ModelStore deploy(
      KubernetesClient client, String namespace, String image, Map<String, Path> files)
      throws IOException {
    Map<String, String> binaryData = new LinkedHashMap<>();
    Map<String, String> sha256 = new LinkedHashMap<>();
    List<KeyToPath> items = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, Path> file : files.entrySet()) {
      byte[] bytes = Files.readAllBytes(file.getValue());
      String key = "file-" + i++;
      binaryData.put(key, Base64.getEncoder().encodeToString(bytes));
      items.add(new KeyToPathBuilder().withKey(key).withPath(file.getKey()).build());
      sha256.put(file.getKey(), sha256(bytes));
    }
    client
        .configMaps()
        .inNamespace(namespace)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(NAME)
                .endMetadata()
                .withBinaryData(binaryData)
                .build())
        .create();
    Map<String, String> labels = Map.of("app", NAME);
    Deployment deployment =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(NAME)
            .endMetadata()
            .withNewSpec()
            .withNewSelector()
            .withMatchLabels(labels)
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(65532L)
            .endSecurityContext()
            .addNewInitContainer()
            .withName("copy")
            .withImage(image)
            .withCommand("sh", "-c", "cp -rL /config/. /store/")
            .addNewVolumeMount()
            .withName("config")
            .withMountPath("/config")
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("store")
            .withMountPath("/store")
            .endVolumeMount()
            .endInitContainer()
            .addNewContainer()
            .withName("http")
            .withImage(image)
            .withCommand(
                "java",
                "-XX:-UsePerfData",
                "-m",
                "jdk.httpserver",
                "-b",
                "0.0.0.0",
                "-p",
                String.valueOf(PORT),
                "-d",
                "/store")
            .addNewPort()
            .withContainerPort(PORT)
            .endPort()
            .withNewReadinessProbe()
            .withNewTcpSocket()
            .withPort(new IntOrString(PORT))
            .endTcpSocket()
            .withPeriodSeconds(1)
            .endReadinessProbe()
            .withNewResources()
            .addToRequests("cpu", new Quantity("10m"))
            .addToRequests("memory", new Quantity("64Mi"))
            .endResources()
            .addNewVolumeMount()
            .withName("store")
            .withMountPath("/store")
            .endVolumeMount()
            .endContainer()
            .addNewVolume()
            .withName("config")
            .withNewConfigMap()
            .withName(NAME)
            .withItems(items)
            .endConfigMap()
            .endVolume()
            .addNewVolume()
            .withName("store")
            .withNewEmptyDir()
            .endEmptyDir()
            .endVolume()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    client.apps().deployments().inNamespace(namespace).resource(deployment).create();
    client
        .services()
        .inNamespace(namespace)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(NAME)
                .endMetadata()
                .withNewSpec()
                .withSelector(labels)
                .addNewPort()
                .withPort(PORT)
                .withTargetPort(new IntOrString(PORT))
                .endPort()
                .endSpec()
                .build())
        .create();
    client
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withName(NAME)
        .waitUntilCondition(
            d ->
                d != null
                    && d.getStatus() != null
                    && Integer.valueOf(1).equals(d.getStatus().getReadyReplicas()),
            2,
            TimeUnit.MINUTES);
    return new ModelStore(namespace, sha256);
  }

  /**
   * The in-cluster URI of a stored file, e.g. {@code http://model-store.<ns>.svc:8000/iris/...}.
   */
  String uri(String path) {
    return "http://" + NAME + "." + namespace + ".svc:" + PORT + "/" + path;
  }

  /** The sha256 of a stored file. */
  String sha256(String path) {
    String sha = sha256ByPath.get(path);
    if (sha == null) {
      throw new IllegalArgumentException("the model store has no " + path);
    }
    return sha;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
