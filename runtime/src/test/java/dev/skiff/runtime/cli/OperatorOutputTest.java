package dev.skiff.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.contract.Device;
import dev.skiff.api.contract.RepositoryLayout;
import dev.skiff.api.contract.RuntimeCommand;
import dev.skiff.api.contract.RuntimeEnvironment;
import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelSchema;
import dev.skiff.api.v1alpha1.ModelVersion;
import dev.skiff.api.v1alpha1.ServerSettings;
import dev.skiff.operator.desired.DesiredState;
import dev.skiff.operator.desired.RuntimeDefaults;
import dev.skiff.operator.spec.ResourceNames;
import dev.skiff.operator.spec.Versions;
import dev.skiff.operator.traffic.TrafficPlan;
import dev.skiff.operator.traffic.TrafficPlanner;
import dev.skiff.runtime.fetch.ModelUri;
import dev.skiff.runtime.model.ModelSettings;
import dev.skiff.runtime.model.SettingsReader;
import dev.skiff.runtime.route.RouterConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * What the operator renders, read by the runtime: for every ModelDeployment in {@code examples/}
 * and in the operator's fixture files, the operator's own builders make the desired state (with
 * every version ready, with none ready, and with the first one not ready), and the runtime's own
 * readers take it: each version's model.yaml through {@link SettingsReader} and {@link
 * ModelSettings}, router.yaml through {@link RouterConfig}, and the fetch, serve and route command
 * lines through this package's parser. The paths the pod spec mounts and the ones the command lines
 * name must agree with the repository layout the runtime reads.
 */
class OperatorOutputTest {
  private static final Path EXAMPLES = Path.of("../examples");
  private static final Path FIXTURES = Path.of("../operator/src/test/resources/modeldeployments");
  private static final RuntimeDefaults DEFAULTS = new RuntimeDefaults("skiff-runtime:test");
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  @TestFactory
  Stream<DynamicTest> everyExampleAndFixtureIsReadByTheRuntime() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : yamlFiles(EXAMPLES, FIXTURES)) {
      for (ModelDeployment md : modelDeployments(file)) {
        String name = file.getFileName() + " (" + md.getMetadata().getName() + ")";
        for (Map.Entry<String, Map<String, Integer>> readiness : readiness(md).entrySet()) {
          tests.add(
              DynamicTest.dynamicTest(
                  name + ", " + readiness.getKey(),
                  () -> check(md, plan(md, readiness.getValue()), file.startsWith(EXAMPLES))));
        }
      }
    }
    assertThat(tests).as("examples and fixtures found").hasSizeGreaterThan(20);
    return tests.stream();
  }

  /**
   * @param example whether {@code md} is one of examples/, whose models may have a folder in
   *     examples/models to agree with
   */
  private static void check(ModelDeployment md, TrafficPlan plan, boolean example)
      throws Exception {
    DesiredState desired = DesiredState.of(md, DEFAULTS, plan, Map.of(), false);
    for (ModelVersion version : Versions.of(md)) {
      checkVersion(md, version, desired, example);
    }
    if (desired.routerConfig() != null) {
      checkRouter(md, desired);
    }
  }

  private static void checkVersion(
      ModelDeployment md, ModelVersion version, DesiredState desired, boolean example)
      throws Exception {
    Deployment deployment = desired.deployments().get(version.getName());
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container fetch = pod.getInitContainers().getFirst();
    Container server = pod.getContainers().getFirst();

    // serve <repository>: the repository and the port the probes and Service use
    ModeArguments serve = parse(server.getArgs());
    Path repository = serve.pathParameter(0);
    assertThat(serve.integer(RuntimeCommand.PORT))
        .isEqualTo(server.getPorts().getFirst().getContainerPort());

    // spec.runtime.server, as the runtime reads its options
    ServerSettings serverSettings =
        md.getSpec().getRuntime() == null ? null : md.getSpec().getRuntime().getServer();
    if (serverSettings != null) {
      assertOption(serve, RuntimeCommand.INFERENCE_THREADS, serverSettings.getInferenceThreads());
      assertOption(serve, RuntimeCommand.INTRA_OP_THREADS, serverSettings.getIntraOpThreads());
      assertOption(serve, RuntimeCommand.QUEUE_SIZE, serverSettings.getQueueSize());
      assertOption(serve, RuntimeCommand.MAX_PAYLOAD_BYTES, serverSettings.getMaxPayloadBytes());
      assertOption(serve, RuntimeCommand.MAX_IMAGE_PIXELS, serverSettings.getMaxImagePixels());
    }

    // model.yaml, from the ConfigMap key the pod mounts at <repository>/<model>/model.yaml
    VolumeMount settingsMount =
        server.getVolumeMounts().stream()
            .filter(m -> m.getSubPath() != null)
            .findFirst()
            .orElseThrow();
    String text = desired.settings().getData().get(settingsMount.getSubPath());
    ModelSettings settings =
        ModelSettings.from(
            SettingsReader.parse(text.getBytes(StandardCharsets.UTF_8), settingsMount.getSubPath()),
            folderOf(settingsMount.getMountPath()));
    assertThat(settingsMount.getMountPath())
        .isEqualTo(RepositoryLayout.settingsFile(repository.toString(), settings.name()));
    assertThat(settings.name()).isEqualTo(ResourceNames.modelName(md));
    assertThat(settings.defaultVersion()).isEqualTo(version.getName());
    assertThat(settings.format())
        .isEqualTo(version.getFormat() == null ? null : version.getFormat().value());
    ModelSchema schema = Versions.schema(md, version);
    if (schema.getInputs() != null) {
      assertThat(settings.inputs()).hasSize(schema.getInputs().size());
    }
    assertThat(settings.image().preprocess().isPresent() || settings.text().isPresent())
        .as("preprocess rendered")
        .isEqualTo(schema.getPreprocess() != null);
    assertThat(settings.image().postprocess().isPresent())
        .as("postprocess rendered")
        .isEqualTo(schema.getPostprocess() != null);
    Path modelFolder = exampleFolder(settings.name(), version.getUri());
    if (example && modelFolder != null) {
      assertSameModelAsItsFolder(settings, modelFolder);
    }

    // fetch <uri> <version folder>: a URI the fetcher accepts, into the folder serve reads
    ModeArguments fetchArgs = parse(fetch.getArgs());
    ModelUri uri = ModelUri.parse(fetchArgs.parameter(0));
    assertThat(fetchArgs.pathParameter(1))
        .isEqualTo(repository.resolve(settings.name()).resolve(version.getName()));
    if (uri.scheme() == ModelUri.Scheme.PVC) {
      assertThat(fetch.getVolumeMounts())
          .as("the claim is mounted where fetch looks for it")
          .anySatisfy(
              m ->
                  assertThat(Path.of(m.getMountPath()))
                      .isEqualTo(fetchArgs.path(RuntimeCommand.PVC_ROOT)));
    }
    assertThat(server.getVolumeMounts())
        .anySatisfy(m -> assertThat(Path.of(m.getMountPath())).isEqualTo(repository));

    // the device the runtime reads from its environment
    String device =
        server.getEnv().stream()
            .filter(e -> e.getName().equals(RuntimeEnvironment.DEVICE))
            .map(EnvVar::getValue)
            .findFirst()
            .orElseThrow();
    assertThat(Device.fromValue(device)).isPresent();
  }

  private static void assertOption(ModeArguments serve, String option, Number value)
      throws UsageException {
    if (value != null) {
      assertThat(serve.longInteger(option)).as(option).isEqualTo(value.longValue());
    }
  }

  /**
   * The folder of examples/models a version of an example serves: the one named like its model,
   * else the first segment of the version's URI path that names one (fashion-canary.yaml serves
   * digits-svm as v1 and digits-xgboost as v2 under one model name); null when there is none.
   */
  private static Path exampleFolder(String model, String uri) {
    Path models = EXAMPLES.resolve("models");
    List<String> candidates = new ArrayList<>(List.of(model));
    candidates.addAll(List.of(URI.create(uri).getPath().split("/")));
    return candidates.stream()
        .filter(name -> !name.isEmpty() && Files.exists(models.resolve(name).resolve("model.yaml")))
        .map(models::resolve)
        .findFirst()
        .orElse(null);
  }

  /**
   * An example serving a model of examples/models describes the same model as the folder's own
   * model.yaml: its tensors, labels, image or text preprocessing and postprocessing (so an upload
   * or a text through the Service answers as {@code make run} does), and its name where the example
   * names the model after the folder. Serving choices (batching, limits, format, description) may
   * differ: the iris examples tune batching.
   */
  private static void assertSameModelAsItsFolder(ModelSettings rendered, Path folder) {
    String folderName = folder.getFileName().toString();
    ModelSettings own =
        ModelSettings.from(SettingsReader.read(folder.resolve("model.yaml")), folderName);
    if (rendered.name().equals(folderName)) {
      assertThat(rendered.name()).isEqualTo(own.name());
    }
    assertThat(rendered.inputs()).as("inputs of %s", folder).isEqualTo(own.inputs());
    assertThat(rendered.outputs()).as("outputs of %s", folder).isEqualTo(own.outputs());
    assertThat(rendered.labels()).as("labels of %s", folder).isEqualTo(own.labels());
    assertThat(rendered.image()).as("image settings of %s", folder).isEqualTo(own.image());
    assertThat(rendered.text()).as("text settings of %s", folder).isEqualTo(own.text());
  }

  private static void checkRouter(ModelDeployment md, DesiredState desired) throws Exception {
    ConfigMap configMap = desired.routerConfig();
    Container router =
        desired.router().getSpec().getTemplate().getSpec().getContainers().getFirst();
    ModeArguments route = parse(router.getArgs());
    Path config = route.path(RuntimeCommand.CONFIG);
    VolumeMount mount =
        router.getVolumeMounts().stream()
            .filter(m -> config.startsWith(m.getMountPath()))
            .findFirst()
            .orElseThrow();
    Volume volume =
        desired.router().getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals(mount.getName()))
            .findFirst()
            .orElseThrow();
    assertThat(volume.getConfigMap().getName()).isEqualTo(configMap.getMetadata().getName());
    String key = Path.of(mount.getMountPath()).relativize(config).toString();
    RouterConfig parsed =
        RouterConfig.parse(configMap.getData().get(key).getBytes(StandardCharsets.UTF_8));
    assertThat(parsed.model()).isEqualTo(ResourceNames.modelName(md));
    assertThat(parsed.versions())
        .extracting(RouterConfig.Version::name)
        .containsAll(Versions.of(md).stream().map(ModelVersion::getName).toList());
    assertThat(route.integer(RuntimeCommand.PORT))
        .isEqualTo(router.getPorts().getFirst().getContainerPort());
  }

  /** The operator's arguments through the runtime's own command line, mode first. */
  private static ModeArguments parse(List<String> args) throws UsageException {
    Mode mode = RuntimeCommandLine.mode(args.getFirst());
    assertThat(mode).as("mode '%s'", args.getFirst()).isNotNull();
    ModeArguments parsed =
        mode.options().parse(args.subList(1, args.size()).toArray(String[]::new));
    assertThat(parsed.helpRequested()).isFalse();
    return parsed;
  }

  private static String folderOf(String settingsPath) {
    return Path.of(settingsPath).getParent().getFileName().toString();
  }

  /** All versions ready, none ready, and all but the first ready. */
  private static Map<String, Map<String, Integer>> readiness(ModelDeployment md) {
    Map<String, Integer> all = new LinkedHashMap<>();
    Map<String, Integer> none = new LinkedHashMap<>();
    Map<String, Integer> firstDown = new LinkedHashMap<>();
    for (ModelVersion v : Versions.of(md)) {
      all.put(v.getName(), 1);
      none.put(v.getName(), 0);
      firstDown.put(v.getName(), firstDown.isEmpty() ? 0 : 1);
    }
    Map<String, Map<String, Integer>> cases = new LinkedHashMap<>();
    cases.put("every version ready", all);
    cases.put("no version ready", none);
    cases.put("the first version not ready", firstDown);
    return cases;
  }

  private static TrafficPlan plan(ModelDeployment md, Map<String, Integer> ready) {
    return TrafficPlanner.plan(md, new TrafficPlanner.Observed(ready, true, false), NOW);
  }

  private static List<Path> yamlFiles(Path... folders) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path folder : folders) {
      try (Stream<Path> list = Files.list(folder)) {
        list.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(files::add);
      }
    }
    return files;
  }

  private static List<ModelDeployment> modelDeployments(Path file) throws IOException {
    List<ModelDeployment> found = new ArrayList<>();
    for (String doc : Files.readString(file).split("(?m)^---\\s*$", -1)) {
      if (doc.contains("kind: ModelDeployment")) {
        ModelDeployment md = Serialization.unmarshal(doc, ModelDeployment.class);
        md.getMetadata().setNamespace("ns1");
        md.getMetadata().setUid("uid-1");
        found.add(md);
      }
    }
    return found;
  }
}
