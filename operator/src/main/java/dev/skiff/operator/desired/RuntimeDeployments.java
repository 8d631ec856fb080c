package dev.skiff.operator.desired;

import dev.skiff.api.contract.Device;
import dev.skiff.api.contract.ModelFormat;
import dev.skiff.api.contract.PvcUri;
import dev.skiff.api.contract.RepositoryLayout;
import dev.skiff.api.contract.RuntimeCommand;
import dev.skiff.api.contract.RuntimeEnvironment;
import dev.skiff.api.contract.RuntimeHttp;
import dev.skiff.api.contract.TerminationMessage;
import dev.skiff.api.v1alpha1.Auth;
import dev.skiff.api.v1alpha1.Feedback;
import dev.skiff.api.v1alpha1.GpuSpec;
import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelVersion;
import dev.skiff.api.v1alpha1.RuntimeSpec;
import dev.skiff.api.v1alpha1.ServerSettings;
import dev.skiff.operator.spec.FeedbackSettings;
import dev.skiff.operator.spec.GpuResources;
import dev.skiff.operator.spec.ResourceNames;
import dev.skiff.operator.spec.Versions;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the Deployment of one version: an init container of the runtime image fetches and verifies
 * the model into an emptyDir, the main container serves it.
 */
public final class RuntimeDeployments {

  public static final String MODELS_DIR = "/models";
  public static final String TOKENS_DIR = "/var/run/skiff/tokens";
  public static final String TOKENS_FILE = TOKENS_DIR + "/tokens";
  public static final String FEEDBACK_DIR = "/var/lib/skiff/feedback";

  /** The pod's name, from the downward API: each pod logs feedback to a file of its own. */
  public static final String POD_NAME_ENV = "POD_NAME";

  public static final int TERMINATION_GRACE_SECONDS = 30;
  public static final int PRE_STOP_SLEEP_SECONDS = 5;

  /**
   * After the preStop sleep and SIGTERM, the runtime (serve and route) keeps answering this long
   * with {@code Connection: close}, so clients still on keep-alive connections to a terminating pod
   * reconnect to another before it stops. Found on the real node: without it, requests sent as the
   * router pods stopped failed with no answer.
   */
  public static final int SHUTDOWN_DELAY_SECONDS = 2;

  /**
   * /tmp of a model pod. Deeplearning4j unpacks its native libraries (~330 MB) there at start; with
   * less room its model never loads. Other backends write nothing there.
   */
  public static final String TMP_SIZE_DL4J = "1Gi";

  public static final String TMP_SIZE = "256Mi";

  /** Same non-root user as the runtime image; the restricted Pod Security Standard needs one. */
  public static final long RUNTIME_UID = 65532L;

  private static final String VOLUME_MODELS = "models";
  private static final String VOLUME_TMP = "tmp";
  private static final String VOLUME_SETTINGS = "model-settings";
  private static final String VOLUME_TOKENS = "auth-tokens";
  private static final String VOLUME_PVC = "model-pvc";
  private static final String VOLUME_FEEDBACK = "feedback";

  private RuntimeDeployments() {}

  /** {@code spec.runtime.server}: each option set is passed; an absent one keeps its default. */
  private static void addServerOptions(RuntimeCommand.Serve args, ServerSettings server) {
    if (server.getInferenceThreads() != null) {
      args.inferenceThreads(server.getInferenceThreads());
    }
    if (server.getIntraOpThreads() != null) {
      args.intraOpThreads(server.getIntraOpThreads());
    }
    if (server.getQueueSize() != null) {
      args.queueSize(server.getQueueSize());
    }
    if (server.getMaxPayloadBytes() != null) {
      args.maxPayloadBytes(server.getMaxPayloadBytes());
    }
    if (server.getMaxImagePixels() != null) {
      args.maxImagePixels(server.getMaxImagePixels());
    }
  }

  public static Deployment build(
      ModelDeployment md, ModelVersion version, RuntimeDefaults defaults) {
    RuntimeSpec runtime =
        Objects.requireNonNullElseGet(md.getSpec().getRuntime(), RuntimeSpec::new);
    String image = runtime.getImage() != null ? runtime.getImage() : defaults.image();
    String model = ResourceNames.modelName(md);
    String settings = SettingsFiles.render(md, version);
    Map<String, String> podLabels = ResourceNames.versionLabels(md, version.getName());

    Map<String, String> podAnnotations = new LinkedHashMap<>();
    podAnnotations.put("prometheus.io/scrape", "true");
    podAnnotations.put("prometheus.io/port", String.valueOf(ResourceNames.HTTP_PORT));
    podAnnotations.put("prometheus.io/path", RuntimeHttp.METRICS);
    podAnnotations.put(ResourceNames.ANNOTATION_SETTINGS_HASH, SettingsFiles.hash(settings));

    List<Volume> volumes = new ArrayList<>();
    volumes.add(
        new VolumeBuilder().withName(VOLUME_MODELS).withNewEmptyDir().endEmptyDir().build());
    volumes.add(
        new VolumeBuilder()
            .withName(VOLUME_TMP)
            .withNewEmptyDir()
            .withSizeLimit(new Quantity(usesDl4j(version) ? TMP_SIZE_DL4J : TMP_SIZE))
            .endEmptyDir()
            .build());
    volumes.add(
        new VolumeBuilder()
            .withName(VOLUME_SETTINGS)
            .withNewConfigMap()
            .withName(ResourceNames.settingsConfigMap(md))
            .endConfigMap()
            .build());

    List<VolumeMount> fetchMounts = new ArrayList<>();
    fetchMounts.add(mount(VOLUME_MODELS, MODELS_DIR, false));
    fetchMounts.add(mount(VOLUME_TMP, "/tmp", false));

    List<VolumeMount> serverMounts = new ArrayList<>();
    serverMounts.add(mount(VOLUME_MODELS, MODELS_DIR, false));
    serverMounts.add(mount(VOLUME_TMP, "/tmp", false));
    serverMounts.add(
        new VolumeMountBuilder()
            .withName(VOLUME_SETTINGS)
            .withMountPath(RepositoryLayout.settingsFile(MODELS_DIR, model))
            .withSubPath(ResourceNames.settingsKey(version.getName()))
            .withReadOnly(true)
            .build());

    // pvc:// goes to the fetcher as it is: it reads the path below the claim's mount, where its
    // default --pvc-root expects it, and refuses symbolic links that lead out of the volume.
    PvcUri.parse(version.getUri())
        .ifPresent(
            pvc -> {
              volumes.add(
                  new VolumeBuilder()
                      .withName(VOLUME_PVC)
                      .withNewPersistentVolumeClaim(pvc.claim(), true)
                      .build());
              fetchMounts.add(mount(VOLUME_PVC, RuntimeCommand.DEFAULT_PVC_ROOT, true));
            });

    RuntimeCommand.Serve serverArgs =
        RuntimeCommand.serve(MODELS_DIR)
            .port(ResourceNames.HTTP_PORT)
            .shutdownDelaySeconds(SHUTDOWN_DELAY_SECONDS)
            // A pod serves one version: if it does not load, the pod will never be ready, so the
            // server exits at once and leaves the reason where the kubelet copies it into the
            // container's status (the operator's ModelLoadFailed), instead of waiting for the
            // startup probe to give up minutes later with no reason at all.
            .exitOnLoadFailure(TerminationMessage.KUBERNETES_DEFAULT_PATH);
    if (runtime.getServer() != null) {
      addServerOptions(serverArgs, runtime.getServer());
    }
    serverArgs.feedbackWindow(FeedbackSettings.window(md));
    if (FeedbackSettings.enabled(md)) {
      volumes.add(feedbackVolume(FeedbackSettings.volume(md)));
      serverMounts.add(mount(VOLUME_FEEDBACK, FEEDBACK_DIR, false));
      // the kubelet expands $(POD_NAME) from the container's environment
      serverArgs
          .feedbackLog(FEEDBACK_DIR + "/$(" + POD_NAME_ENV + ").jsonl")
          .feedbackPeers(ResourceNames.feedbackPeers(md));
    }
    Auth auth = md.getSpec().getAuth();
    if (auth != null && auth.getTokenSecretRef() != null) {
      String key = Objects.requireNonNullElse(auth.getTokenSecretRef().getKey(), "tokens");
      volumes.add(
          new VolumeBuilder()
              .withName(VOLUME_TOKENS)
              .withNewSecret()
              .withSecretName(auth.getTokenSecretRef().getName())
              .addNewItem()
              .withKey(key)
              .withPath("tokens")
              .endItem()
              .endSecret()
              .build());
      serverMounts.add(mount(VOLUME_TOKENS, TOKENS_DIR, true));
      serverArgs.authTokensFile(TOKENS_FILE);
    }

    RuntimeCommand.Fetch fetchArgs =
        RuntimeCommand.fetch(
            version.getUri(),
            RepositoryLayout.versionDirectory(MODELS_DIR, model, version.getName()));
    if (version.getSha256() != null) {
      fetchArgs.sha256(version.getSha256().toLowerCase(Locale.ROOT));
    }
    if (isDl4jZip(version)) {
      fetchArgs.keepArchive();
    }

    List<EnvVar> userEnv = runtime.getEnv() == null ? List.of() : runtime.getEnv();
    List<EnvVar> serverEnv = new ArrayList<>();
    serverEnv.add(
        new EnvVar(
            RuntimeEnvironment.DEVICE,
            (Versions.isGpu(version) ? Device.GPU : Device.CPU).value(),
            null));
    serverEnv.add(
        new EnvVarBuilder()
            .withName(POD_NAME_ENV)
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.name")
            .endFieldRef()
            .endValueFrom()
            .build());
    serverEnv.addAll(userEnv);

    Container fetch =
        new ContainerBuilder()
            .withName(ResourceNames.FETCH_CONTAINER)
            .withImage(image)
            .withImagePullPolicy(pullPolicy(runtime))
            .withArgs(fetchArgs.args())
            .withEnv(userEnv)
            .withVolumeMounts(fetchMounts)
            .withSecurityContext(containerSecurityContext())
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .build();

    Container server =
        new ContainerBuilder()
            .withName(ResourceNames.SERVER_CONTAINER)
            .withImage(image)
            .withImagePullPolicy(pullPolicy(runtime))
            .withArgs(serverArgs.args())
            .withEnv(serverEnv)
            .addNewPort()
            .withName(ResourceNames.HTTP_PORT_NAME)
            .withContainerPort(ResourceNames.HTTP_PORT)
            .withProtocol("TCP")
            .endPort()
            .addNewPort()
            .withName(ResourceNames.GRPC_PORT_NAME)
            .withContainerPort(ResourceNames.GRPC_PORT)
            .withProtocol("TCP")
            .endPort()
            .withResources(resources(md, version))
            .withVolumeMounts(serverMounts)
            .withStartupProbe(httpProbe(RuntimeHttp.HEALTH_READY, 2, 150))
            .withReadinessProbe(httpProbe(RuntimeHttp.HEALTH_READY, 5, 3))
            .withLivenessProbe(httpProbe(RuntimeHttp.HEALTH_LIVE, 10, 3))
            .withNewLifecycle()
            .withNewPreStop()
            .withNewSleep()
            .withSeconds((long) PRE_STOP_SLEEP_SECONDS)
            .endSleep()
            .endPreStop()
            .endLifecycle()
            .withSecurityContext(containerSecurityContext())
            // The file holds the runtime's one line; the log tail is the fallback when the JVM
            // died before writing it (killed, out of memory), not the primary channel: its last
            // lines are shutdown noise, not the reason.
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .build();

    DeploymentBuilder builder =
        new DeploymentBuilder()
            .withMetadata(
                Owners.childMeta(
                    md, ResourceNames.versionResource(md, version.getName()), podLabels))
            .withNewSpec()
            .withNewSelector()
            .withMatchLabels(ResourceNames.versionSelector(md, version.getName()))
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
            .withLabels(podLabels)
            .withAnnotations(podAnnotations)
            .endMetadata()
            .withNewSpec()
            .withSecurityContext(podSecurityContext())
            .withAutomountServiceAccountToken(false)
            .withServiceAccountName(runtime.getServiceAccountName())
            .withImagePullSecrets(runtime.getImagePullSecrets())
            .withNodeSelector(runtime.getNodeSelector())
            .withAffinity(runtime.getAffinity())
            .withTolerations(tolerations(runtime, version))
            .withTerminationGracePeriodSeconds((long) TERMINATION_GRACE_SECONDS)
            .withInitContainers(fetch)
            .withContainers(server)
            .withVolumes(volumes)
            .endSpec()
            .endTemplate()
            .endSpec();
    if (!Versions.autoscaled(version)) {
      // Otherwise the HPA owns spec.replicas; leaving it out of the applied object avoids a fight.
      builder.editSpec().withReplicas(version.getReplicas()).endSpec();
    }
    return builder.build();
  }

  /** The user's claim or emptyDir for the feedback logs; an emptyDir when none is given. */
  private static Volume feedbackVolume(Feedback.FeedbackVolume chosen) {
    VolumeBuilder volume = new VolumeBuilder().withName(VOLUME_FEEDBACK);
    if (chosen != null && chosen.getPersistentVolumeClaim() != null) {
      return volume.withPersistentVolumeClaim(chosen.getPersistentVolumeClaim()).build();
    }
    return volume
        .withEmptyDir(
            chosen != null && chosen.getEmptyDir() != null
                ? chosen.getEmptyDir()
                : new EmptyDirVolumeSource())
        .build();
  }

  private static String pullPolicy(RuntimeSpec runtime) {
    return runtime.getImagePullPolicy() == null ? null : runtime.getImagePullPolicy().name();
  }

  private static VolumeMount mount(String name, String path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(name)
        .withMountPath(path)
        .withReadOnly(readOnly ? Boolean.TRUE : null)
        .build();
  }

  static Probe httpProbe(String path, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withNewPort(ResourceNames.HTTP_PORT_NAME)
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withFailureThreshold(failureThreshold)
        .withTimeoutSeconds(2)
        .build();
  }

  /** Restricted Pod Security Standard, pod level. */
  static PodSecurityContext podSecurityContext() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(RUNTIME_UID)
        .withRunAsGroup(RUNTIME_UID)
        .withFsGroup(RUNTIME_UID)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  /** Restricted Pod Security Standard, container level, plus a read-only root filesystem. */
  static SecurityContext containerSecurityContext() {
    Capabilities dropAll = new CapabilitiesBuilder().withDrop("ALL").build();
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .withCapabilities(dropAll)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  /**
   * Version resources (else runtime resources); device gpu adds one GPU to the limits unless they
   * already name a GPU resource. GPUs go in limits only: the scheduler copies them to requests.
   */
  static ResourceRequirements resources(ModelDeployment md, ModelVersion version) {
    ResourceRequirements base = version.getResources();
    if (base == null && md.getSpec().getRuntime() != null) {
      base = md.getSpec().getRuntime().getResources();
    }
    ResourceRequirementsBuilder builder =
        base == null ? new ResourceRequirementsBuilder() : new ResourceRequirementsBuilder(base);
    if (Versions.isGpu(version)) {
      Map<String, Quantity> limits =
          new LinkedHashMap<>(
              base == null || base.getLimits() == null ? Map.of() : base.getLimits());
      boolean namesGpu = limits.keySet().stream().anyMatch(GpuResources::isGpu);
      if (!namesGpu) {
        GpuSpec gpu = version.getGpu();
        String resource =
            gpu == null || gpu.getResourceName() == null ? GpuResources.GPU : gpu.getResourceName();
        int count = gpu == null || gpu.getCount() == null ? 1 : gpu.getCount();
        limits.put(resource, new Quantity(String.valueOf(count)));
      }
      builder.withLimits(limits);
    }
    ResourceRequirements result = builder.build();
    boolean empty =
        (result.getLimits() == null || result.getLimits().isEmpty())
            && (result.getRequests() == null || result.getRequests().isEmpty())
            && (result.getClaims() == null || result.getClaims().isEmpty());
    return empty ? null : result;
  }

  /** User tolerations plus, for gpu versions, the usual nvidia.com/gpu NoSchedule toleration. */
  static List<Toleration> tolerations(RuntimeSpec runtime, ModelVersion version) {
    List<Toleration> tolerations =
        new ArrayList<>(runtime.getTolerations() == null ? List.of() : runtime.getTolerations());
    boolean hasGpuToleration =
        tolerations.stream().anyMatch(t -> GpuResources.GPU.equals(t.getKey()));
    if (Versions.isGpu(version) && !hasGpuToleration) {
      tolerations.add(
          new TolerationBuilder()
              .withKey(GpuResources.GPU)
              .withOperator("Exists")
              .withEffect("NoSchedule")
              .build());
    }
    return tolerations.isEmpty() ? null : tolerations;
  }

  /**
   * Whether a version loads with Deeplearning4j: {@code format: dl4j|keras}, or no format and a
   * file name the runtime takes for one ({@code .zip}, {@code .h5}, {@code .hdf5}).
   */
  static boolean usesDl4j(ModelVersion version) {
    if (version.getFormat() != null) {
      return version.getFormat() == ModelFormat.DL4J || version.getFormat() == ModelFormat.KERAS;
    }
    String file = fileName(version.getUri());
    return file.endsWith(".zip") || file.endsWith(".h5") || file.endsWith(".hdf5");
  }

  /**
   * Whether the version's file is a Deeplearning4j ModelSerializer zip, which the fetcher must keep
   * as it is instead of unpacking it like a .zip archive of model files.
   */
  static boolean isDl4jZip(ModelVersion version) {
    return fileName(version.getUri()).endsWith(".zip")
        && (version.getFormat() == null || version.getFormat() == ModelFormat.DL4J);
  }

  private static String fileName(String uri) {
    String path = uri == null ? "" : uri.replaceFirst("[?#].*$", "");
    return path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
  }
}
