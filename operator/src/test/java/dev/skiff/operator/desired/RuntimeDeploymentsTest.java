package dev.skiff.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.Fixtures;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeDeploymentsTest {

  /** What every model server is started with: repository, port, shutdown delay, exit on failure. */
  private static final List<String> FIXED_SERVE_ARGS =
      List.of(
          "serve",
          "/models",
          "--port",
          "8080",
          "--shutdown-delay-s",
          "2",
          "--exit-on-load-failure",
          "--termination-log",
          "/dev/termination-log");

  private static Deployment gpu(String resources, String extra) {
    ModelDeployment md =
        Fixtures.md(
            """
      apiVersion: skiff.dev/v1alpha1
      kind: ModelDeployment
      metadata: {name: m}
      spec:
        versions:
          - name: v1
            uri: https://x/model.onnx
            device: gpu
            resources: %s
            %s
      """
                .formatted(resources, extra));
    return RuntimeDeployments.build(md, md.getSpec().getVersions().getFirst(), Fixtures.DEFAULTS);
  }

  private static Container server(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().getFirst();
  }

  @Test
  void irisDeploymentHasNamesLabelsAndOwner() {
    ModelDeployment md = Fixtures.example("iris.yaml");
    Deployment d =
        RuntimeDeployments.build(md, md.getSpec().getVersions().getFirst(), Fixtures.DEFAULTS);

    assertThat(d.getMetadata().getName()).isEqualTo("iris-v1");
    assertThat(d.getMetadata().getNamespace()).isEqualTo("ns1");
    assertThat(d.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/name", "skiff-runtime")
        .containsEntry("app.kubernetes.io/instance", "iris")
        .containsEntry("app.kubernetes.io/managed-by", "skiff-operator")
        .containsEntry("skiff.dev/model", "iris")
        .containsEntry("skiff.dev/version", "v1");
    assertThat(d.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("ModelDeployment");
              assertThat(o.getApiVersion()).isEqualTo("skiff.dev/v1alpha1");
              assertThat(o.getUid()).isEqualTo("uid-1234");
              assertThat(o.getController()).isTrue();
            });
    assertThat(d.getSpec().getSelector().getMatchLabels())
        .isEqualTo(
            Map.of(
                "app.kubernetes.io/instance", "iris",
                "app.kubernetes.io/component", "model-server",
                "skiff.dev/version", "v1"));
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
    // autoscaled: the HPA owns replicas
    assertThat(d.getSpec().getReplicas()).isNull();
  }

  private static PodSpec podFor(String uri, String format) {
    ModelDeployment md =
        Fixtures.md(
            """
          apiVersion: skiff.dev/v1alpha1
          kind: ModelDeployment
          metadata: {name: m}
          spec:
            versions:
              - {name: v1, uri: "%s"%s}
          """
                .formatted(uri, format == null ? "" : ", format: " + format));
    return RuntimeDeployments.build(md, md.getSpec().getVersions().getFirst(), Fixtures.DEFAULTS)
        .getSpec()
        .getTemplate()
        .getSpec();
  }

  private static Quantity tmpSizeLimit(PodSpec pod) {
    return pod.getVolumes().stream()
        .filter(v -> v.getName().equals("tmp"))
        .findFirst()
        .orElseThrow()
        .getEmptyDir()
        .getSizeLimit();
  }

  @Test
  void deeplearning4jZipIsFetchedWithoutUnpackingAndGetsRoomInTmpForItsNatives() {
    for (String format : new String[] {null, "dl4j"}) {
      PodSpec pod = podFor("https://x/digits/model.zip?v=1", format);
      assertThat(pod.getInitContainers().getFirst().getArgs()).contains("--unpack=false");
      assertThat(tmpSizeLimit(pod)).isEqualTo(new Quantity("1Gi"));
    }
    PodSpec keras = podFor("https://x/digits/model.h5", null);
    assertThat(keras.getInitContainers().getFirst().getArgs()).doesNotContain("--unpack=false");
    assertThat(tmpSizeLimit(keras)).isEqualTo(new Quantity("1Gi"));
    // An archive of a DL4J model is still unpacked; a zipped ONNX model too.
    PodSpec archive = podFor("https://x/digits/model.tar.gz", "dl4j");
    assertThat(archive.getInitContainers().getFirst().getArgs()).doesNotContain("--unpack=false");
    PodSpec zippedOnnx = podFor("https://x/iris/model.zip", "onnx");
    assertThat(zippedOnnx.getInitContainers().getFirst().getArgs())
        .doesNotContain("--unpack=false");
    assertThat(tmpSizeLimit(zippedOnnx)).isEqualTo(new Quantity("256Mi"));
  }

  @Test
  void containersFetchThenServeWithSettingsMounted() {
    ModelDeployment md = Fixtures.example("iris.yaml");
    Deployment d =
        RuntimeDeployments.build(md, md.getSpec().getVersions().getFirst(), Fixtures.DEFAULTS);
    PodSpec pod = d.getSpec().getTemplate().getSpec();

    Container fetch = pod.getInitContainers().getFirst();
    assertThat(fetch.getImage()).isEqualTo("ghcr.io/skiff-dev/skiff-runtime:test");
    assertThat(fetch.getArgs())
        .containsExactly(
            "fetch", "https://models.example.com/iris/v1/model.onnx", "/models/iris/v1");

    Container server = server(d);
    List<String> afterTheFixedOnes =
        server.getArgs().subList(FIXED_SERVE_ARGS.size(), server.getArgs().size());
    assertThat(server.getArgs().subList(0, FIXED_SERVE_ARGS.size())).isEqualTo(FIXED_SERVE_ARGS);
    assertThat(afterTheFixedOnes)
        .containsExactly(
            "--feedback-window",
            "10000",
            "--feedback-log",
            "/var/lib/skiff/feedback/$(POD_NAME).jsonl",
            "--feedback-peers",
            "iris-peers.ns1.svc:8080");
    assertThat(server.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    assertThat(server.getPorts())
        .extracting(p -> p.getName(), p -> p.getContainerPort())
        .containsExactly(tuple("http", 8080), tuple("grpc", 8081));
    assertThat(server.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/models/iris/model.yaml");
              assertThat(m.getSubPath()).isEqualTo("v1.model.yaml");
            })
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getConfigMap() != null)
        .singleElement()
        .satisfies(v -> assertThat(v.getConfigMap().getName()).isEqualTo("iris-settings"));
    assertThat(server.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("SKIFF_DEVICE");
              assertThat(e.getValue()).isEqualTo("cpu");
            });
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "8080")
        .containsEntry("prometheus.io/path", "/metrics")
        .containsKey("skiff.dev/settings-hash");
  }

  private static Deployment withFeedback(String feedback) {
    ModelDeployment md =
        Fixtures.md(
            """
      apiVersion: skiff.dev/v1alpha1
      kind: ModelDeployment
      metadata: {name: m}
      spec:
        versions: [{name: v1, uri: https://x/model.onnx}]
        feedback: %s
      """
                .formatted(feedback));
    return RuntimeDeployments.build(md, md.getSpec().getVersions().getFirst(), Fixtures.DEFAULTS);
  }

  @Test
  void feedbackIsOnByDefaultWithPeersAndAPerPodLogOnAnEmptyDir() {
    Deployment d = withFeedback("{}");
    Container server = server(d);
    assertThat(String.join(" ", server.getArgs()))
        .contains("--feedback-window 10000")
        .contains("--feedback-log /var/lib/skiff/feedback/$(POD_NAME).jsonl")
        .contains("--feedback-peers m-peers.ns1.svc:8080");
    assertThat(server.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("POD_NAME");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
            });
    assertThat(server.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getName()).isEqualTo("feedback");
              assertThat(m.getMountPath()).isEqualTo("/var/lib/skiff/feedback");
              assertThat(m.getReadOnly()).isNull();
            });
    assertThat(d.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getName().equals("feedback"))
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
  }

  @Test
  void feedbackLogsGoToTheUsersClaimAndTheWindowIsPassedOn() {
    Deployment d =
        withFeedback(
            "{window: 50000, volume: {persistentVolumeClaim: {claimName: feedback-logs}}}");
    assertThat(String.join(" ", server(d).getArgs())).contains("--feedback-window 50000");
    assertThat(d.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getName().equals("feedback"))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getEmptyDir()).isNull();
              assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("feedback-logs");
            });
  }

  @Test
  void disabledFeedbackHasNoPeersNoLogAndNoVolume() {
    Deployment d = withFeedback("{enabled: false, window: 100}");
    assertThat(server(d).getArgs())
        .contains("--feedback-window", "100")
        .doesNotContain("--feedback-peers", "--feedback-log");
    assertThat(d.getSpec().getTemplate().getSpec().getVolumes())
        .noneMatch(v -> v.getName().equals("feedback"));
  }

  @Test
  void serverSettingsBecomeServeOptionsAndAbsentOnesKeepTheRuntimeDefaults() {
    assertThat(serveOptionsAfterTheFixedOnes(Fixtures.file("image-version-schema.yaml"), 1))
        .containsExactly(
            "--inference-threads",
            "2",
            "--intra-op-threads",
            "1",
            "--queue-size",
            "128",
            "--max-payload-bytes",
            "8388608",
            "--max-image-pixels",
            "4000000");
    assertThat(serveOptionsAfterTheFixedOnes(Fixtures.example("digits.yaml"), 0))
        .containsExactly("--max-payload-bytes", "1048576", "--max-image-pixels", "1000000");
    assertThat(serveOptionsAfterTheFixedOnes(Fixtures.example("iris.yaml"), 0)).isEmpty();
  }

  /**
   * The serve arguments of a version after the repository, port, shutdown delay and exit on a load
   * failure, up to the feedback options.
   */
  private static List<String> serveOptionsAfterTheFixedOnes(ModelDeployment md, int version) {
    List<String> args =
        server(
                RuntimeDeployments.build(
                    md, md.getSpec().getVersions().get(version), Fixtures.DEFAULTS))
            .getArgs();
    assertThat(args.subList(0, FIXED_SERVE_ARGS.size())).isEqualTo(FIXED_SERVE_ARGS);
    return args.subList(FIXED_SERVE_ARGS.size(), args.indexOf("--feedback-window"));
  }

  @Test
  void probesUseRuntimeHealthPaths() {
    Container server = server(gpu("{}", ""));
    assertThat(server.getStartupProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
    assertThat(server.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
    assertThat(server.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
    assertThat(server.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(server.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(5L);
  }

  @Test
  void podIsRestrictedNonRootReadOnly() {
    Deployment d = gpu("{}", "");
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30L);
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    for (Container c : List.of(pod.getInitContainers().getFirst(), server(d))) {
      SecurityContext sc = c.getSecurityContext();
      assertThat(sc.getRunAsNonRoot()).isTrue();
      assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
      assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
      assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    }
  }

  @Test
  void gpuAddsOneGpuLimitAndToleration() {
    Deployment d = gpu("{limits: {memory: 2Gi}}", "");
    assertThat(server(d).getResources().getLimits())
        .containsEntry("nvidia.com/gpu", new Quantity("1"))
        .containsEntry("memory", new Quantity("2Gi"));
    assertThat(server(d).getResources().getRequests()).doesNotContainKey("nvidia.com/gpu");
    assertThat(d.getSpec().getTemplate().getSpec().getTolerations())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
              assertThat(t.getOperator()).isEqualTo("Exists");
              assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });
    assertThat(server(d).getEnv()).anySatisfy(e -> assertThat(e.getValue()).isEqualTo("gpu"));
  }

  @Test
  void gpuKeepsUserGpuResourcesSharedAndMig() {
    Deployment shared = gpu("{limits: {nvidia.com/gpu.shared: 2}}", "");
    assertThat(server(shared).getResources().getLimits())
        .containsEntry("nvidia.com/gpu.shared", new Quantity("2"))
        .doesNotContainKey("nvidia.com/gpu");

    Deployment mig = gpu("{limits: {nvidia.com/mig-1g.10gb: 1}}", "");
    assertThat(server(mig).getResources().getLimits()).containsOnlyKeys("nvidia.com/mig-1g.10gb");

    Deployment explicit = gpu("{limits: {nvidia.com/gpu: 4}}", "");
    assertThat(server(explicit).getResources().getLimits())
        .containsEntry("nvidia.com/gpu", new Quantity("4"));
  }

  @Test
  void gpuSpecPicksResourceAndCount() {
    Deployment d = gpu("{}", "gpu: {resourceName: nvidia.com/gpu.shared, count: 2}");
    assertThat(server(d).getResources().getLimits())
        .containsOnlyKeys("nvidia.com/gpu.shared")
        .containsEntry("nvidia.com/gpu.shared", new Quantity("2"));
  }

  @Test
  void cpuVersionHasNoGpuOrToleration() {
    ModelDeployment md = Fixtures.example("iris.yaml");
    Deployment d =
        RuntimeDeployments.build(md, md.getSpec().getVersions().getFirst(), Fixtures.DEFAULTS);
    assertThat(server(d).getResources().getLimits()).containsOnlyKeys("memory");
    assertThat(d.getSpec().getTemplate().getSpec().getTolerations()).isNullOrEmpty();
  }

  @Test
  void userGpuTolerationIsNotDuplicated() {
    ModelDeployment md = Fixtures.file("gpu-tolerations.yaml");
    Deployment d =
        RuntimeDeployments.build(md, md.getSpec().getVersions().getFirst(), Fixtures.DEFAULTS);
    assertThat(d.getSpec().getTemplate().getSpec().getTolerations())
        .extracting(Toleration::getKey)
        .containsExactly("nvidia.com/gpu");
    assertThat(d.getSpec().getTemplate().getSpec().getNodeSelector())
        .containsEntry("accelerator", "a100");
  }

  @Test
  void authMountsTokensAndPassesFile() {
    ModelDeployment md = Fixtures.example("fashion-canary.yaml");
    Deployment d =
        RuntimeDeployments.build(md, md.getSpec().getVersions().getFirst(), Fixtures.DEFAULTS);
    Container server = server(d);
    assertThat(server.getArgs())
        .containsSubsequence("--auth-tokens-file", "/var/run/skiff/tokens/tokens");
    assertThat(server.getVolumeMounts())
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/var/run/skiff/tokens"));
    assertThat(d.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getSecret().getSecretName()).isEqualTo("fashion-tokens");
              assertThat(v.getSecret().getItems().getFirst().getKey()).isEqualTo("tokens");
            });
    // fixed replicas, sha256 verified, model name from spec.model
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(d.getSpec().getTemplate().getSpec().getInitContainers().getFirst().getArgs())
        .containsExactly(
            "fetch",
            "https://models.example.com/digits-svm/v1/model.onnx",
            "/models/digits-tabular/v1",
            "--sha256",
            "79e61e880a04131cc3657d2ef87d8419633e554a423d570f6b88b9642244085a");
  }

  @Test
  void pvcUriGoesToTheFetcherWithItsClaimMountedWhereTheFetcherLooks() {
    ModelDeployment md = Fixtures.file("pvc.yaml");
    Deployment d =
        RuntimeDeployments.build(md, md.getSpec().getVersions().getFirst(), Fixtures.DEFAULTS);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    Container fetch = pod.getInitContainers().getFirst();
    assertThat(fetch.getArgs())
        .as("the fetcher resolves pvc:// itself, confined to the claim's mount")
        .containsExactly("fetch", "pvc://models/iris/model.onnx", "/models/m/v1");
    assertThat(fetch.getVolumeMounts())
        .filteredOn(m -> m.getName().equals("model-pvc"))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/mnt/pvc");
              assertThat(m.getReadOnly()).isTrue();
            });
    assertThat(server(d).getVolumeMounts()).noneMatch(m -> m.getName().equals("model-pvc"));
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getPersistentVolumeClaim() != null)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("models");
              assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue();
            });
  }

  @Test
  void specImageOverridesDefault() {
    ModelDeployment md = Fixtures.file("custom-image.yaml");
    Deployment d =
        RuntimeDeployments.build(md, md.getSpec().getVersions().getFirst(), Fixtures.DEFAULTS);
    assertThat(server(d).getImage()).isEqualTo("registry.local/skiff:1");
    assertThat(server(d).getImagePullPolicy()).isEqualTo("Always");
  }
}
