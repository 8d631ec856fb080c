package dev.skiff.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.api.contract.RuntimeHttp;
import dev.skiff.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Base of the end-to-end tests: the local control plane with its real node (hack/e2e/run.sh brings
 * both up and installs the chart, so the operator runs as the pod the chart deploys), a fresh
 * namespace per test class with an HTTP model store in it, and helpers that talk to the cluster the
 * way a user does. Everything is addressed by the public names a user sees (condition types,
 * labels, Service names), not by the operator's classes: these tests treat the operator as a black
 * box. Requests go from this JVM to ClusterIPs, which kube-proxy on the real node translates to pod
 * addresses on the node's own bridge.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RealNodeSupport {

  static final String RUNTIME_IMAGE =
      System.getProperty("skiff.e2e.runtimeImage", "localhost/skiff-runtime:dev");
  static final String OPERATOR_NAMESPACE =
      System.getProperty("skiff.e2e.operatorNamespace", "skiff-system");
  static final String OPERATOR_DEPLOYMENT =
      System.getProperty("skiff.e2e.operatorDeployment", "skiff-operator");
  static final Path EXAMPLES = Path.of(System.getProperty("skiff.examples", "../examples"));
  static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  static final int HTTP_PORT = 8080;
  static final int GRPC_PORT = 8081;
  static final String INSTANCE_LABEL = "app.kubernetes.io/instance";
  static final String VERSION_LABEL = "skiff.dev/version";

  KubernetesClient client;
  String namespace;
  ModelStore store;
  HttpClient http;

  /** Clients {@link #awaitRouterWeights} replaced; a load started earlier may still use one. */
  private final List<HttpClient> replacedClients = new ArrayList<>();

  @RegisterExtension
  final TestWatcher diagnostics =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          printDiagnostics();
        }
      };

  @BeforeAll
  void connectAndDeployStore() throws IOException {
    String kubeconfig = System.getenv("KUBECONFIG");
    assertThat(kubeconfig)
        .as("KUBECONFIG must name the local cluster with its real node: run `make e2e`")
        .isNotBlank();
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(Path.of(kubeconfig))))
            .build();
    List<Node> realNodes =
        client.nodes().withLabel("skiff.dev/node", "real").list().getItems().stream()
            .filter(RealNodeSupport::nodeReady)
            .toList();
    assertThat(realNodes)
        .as("a Ready node labelled skiff.dev/node=real (hack/cluster/node-up.sh)")
        .isNotEmpty();
    Deployment operator =
        client
            .apps()
            .deployments()
            .inNamespace(OPERATOR_NAMESPACE)
            .withName(OPERATOR_DEPLOYMENT)
            .get();
    assertThat(operator)
        .as("the operator installed by Helm as %s/%s", OPERATOR_NAMESPACE, OPERATOR_DEPLOYMENT)
        .isNotNull();
    namespace =
        "e2e-"
            + getClass().getSimpleName().toLowerCase(Locale.ROOT).replace("e2e", "")
            + "-"
            + UUID.randomUUID().toString().substring(0, 5);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                client.serviceAccounts().inNamespace(namespace).withName("default").get() != null);
    store = ModelStore.deploy(client, namespace, RUNTIME_IMAGE, storeFiles());
    http = newHttpClient();
  }

  private static HttpClient newHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(3))
        .build();
  }

  /** The files the test class's model store serves: store path → file. */
  Map<String, Path> storeFiles() {
    Path iris = EXAMPLES.resolve("models/iris/v1/model.onnx");
    Map<String, Path> files = new LinkedHashMap<>();
    files.put("iris/v1/model.onnx", iris);
    files.put("iris/v2/model.onnx", iris);
    return files;
  }

  /**
   * Deletes the namespace and waits for it to be gone, so that the next class finds the node's CPU
   * free again.
   */
  @AfterAll
  void deleteNamespace() {
    if (client == null || namespace == null) {
      return;
    }
    client.namespaces().withName(namespace).delete();
    try {
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> client.namespaces().withName(namespace).get() == null);
    } finally {
      replacedClients.forEach(HttpClient::close);
      http.close();
      client.close();
    }
  }

  // ---- ModelDeployments ----

  MixedOperation<
          ModelDeployment, KubernetesResourceList<ModelDeployment>, Resource<ModelDeployment>>
      mds() {
    return client.resources(ModelDeployment.class);
  }

  ModelDeployment md(String name) {
    return mds().inNamespace(namespace).withName(name).get();
  }

  /** Applies YAML (every document) into the test namespace, as {@code kubectl apply} would. */
  void apply(String yaml) {
    List<HasMetadata> items =
        client
            .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
            .inNamespace(namespace)
            .resources()
            .map(Resource::item)
            .toList();
    for (HasMetadata item : items) {
      item.getMetadata().setNamespace(namespace);
      client.resource(item).inNamespace(namespace).forceConflicts().serverSideApply();
    }
  }

  void patch(String name, String jsonPatch) {
    mds().inNamespace(namespace).withName(name).patch(PatchContext.of(PatchType.JSON), jsonPatch);
  }

  /** The iris ModelDeployment {@code name} with the given version lines and extra spec lines. */
  static String iris(String name, String versions, String extraSpec) {
    return """
        apiVersion: skiff.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: %s}
        spec:
          model: iris
          schema:
            inputs: [{name: input, datatype: FP32, shape: [-1, 4]}]
            outputs:
              - {name: label, datatype: INT64, shape: [-1]}
              - {name: probabilities, datatype: FP32, shape: [-1, 3]}
            labels: [setosa, versicolor, virginica]
          versions:
        %s
          traffic: {drainSeconds: 5}
          runtime:
            resources:
              requests: {cpu: 50m, memory: 256Mi}
              limits: {memory: 1Gi}
            # The model store is an in-cluster Service: a private address, which fetch refuses
            # unless told (docs/fetch.md).
            env: [{name: SKIFF_FETCH_ALLOW_PRIVATE_ADDRESSES, value: "true"}]
        %s
        """
        .formatted(name, versions.stripTrailing(), extraSpec.stripTrailing());
  }

  /** One {@code versions[]} line for a file of the model store, with its sha256. */
  String version(String name, String path, Integer weight, String more) {
    return "    - {name: %s, uri: \"%s\", sha256: \"%s\"%s%s}\n"
        .formatted(
            name,
            store.uri(path),
            store.sha256(path),
            weight == null ? "" : ", weight: " + weight,
            more.isEmpty() ? "" : ", " + more);
  }

  /**
   * Waits until the ModelDeployment is Ready for its current generation and returns how long that
   * took from now.
   */
  Duration awaitReady(String name) {
    long start = System.nanoTime();
    awaitStatus(
        name,
        READY_TIMEOUT,
        md ->
            md.getStatus().getObservedGeneration() != null
                && md.getStatus().getObservedGeneration().equals(md.getMetadata().getGeneration())
                && condition(md, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false),
        "Ready=True for the current generation");
    return Duration.ofNanos(System.nanoTime() - start);
  }

  ModelDeployment awaitStatus(
      String name, Duration timeout, Predicate<ModelDeployment> done, String what) {
    return await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(250))
        .alias(what + " of " + name)
        .until(() -> md(name), md -> md != null && md.getStatus() != null && done.test(md));
  }

  static Optional<Condition> condition(ModelDeployment md, String type) {
    return md.getStatus() == null || md.getStatus().getConditions() == null
        ? Optional.empty()
        : md.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  // ---- Services, pods, HTTP ----

  /** {@code http://<ClusterIP>:8080} of a Service in the test namespace. */
  String serviceUrl(String service) {
    return "http://" + clusterIp(service) + ":" + HTTP_PORT;
  }

  /** {@code <ClusterIP>:8081}, the V2 gRPC port of a Service in the test namespace. */
  String grpcAddress(String service) {
    return clusterIp(service) + ":" + GRPC_PORT;
  }

  private String clusterIp(String service) {
    return client
        .services()
        .inNamespace(namespace)
        .withName(service)
        .get()
        .getSpec()
        .getClusterIP();
  }

  /**
   * Waits until a Service answers {@code path} with 200 and returns how long that took. A
   * ModelDeployment is Ready when its pods are; kube-proxy programs the Service's new endpoints a
   * moment later, and until then a connection to the ClusterIP is refused.
   */
  Duration awaitAnswer(String service, String path) {
    String url = serviceUrl(service) + path;
    long start = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .alias(url + " answers 200")
        .until(
            () ->
                send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build())
                        .statusCode()
                    == 200);
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** Running router pods of a ModelDeployment. */
  List<Pod> routerPods(String md) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabel(INSTANCE_LABEL, md)
        .withLabel("app.kubernetes.io/component", "router")
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> "Running".equals(p.getStatus().getPhase()))
        .toList();
  }

  /**
   * Waits until the stable Service selects the router and every router pod splits unpinned traffic
   * by {@code weights} (its {@code skiff_router_effective_weight} gauges): the ConfigMap the
   * operator wrote has reached the pods, each version passed the router's health check, and
   * requests to the Service's ClusterIP reach the router. Returns how long that took.
   */
  Duration awaitRouterWeights(String md, Map<String, Integer> weights) {
    long start = System.nanoTime();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .alias("router of " + md + " at " + weights)
        .untilAsserted(
            () -> {
              assertThat(
                      client
                          .services()
                          .inNamespace(namespace)
                          .withName(md)
                          .get()
                          .getSpec()
                          .getSelector())
                  .containsEntry("app.kubernetes.io/component", "router");
              List<Pod> routers = routerPods(md);
              assertThat(routers).isNotEmpty();
              for (Pod router : routers) {
                String metrics =
                    send(HttpRequest.newBuilder(
                                URI.create(
                                    "http://" + router.getStatus().getPodIP() + ":8080/metrics"))
                            .timeout(Duration.ofSeconds(2))
                            .build())
                        .body();
                assertThat(effectiveWeights(metrics))
                    .as("router %s", router.getMetadata().getName())
                    .isEqualTo(weights);
              }
              // The selector is only the API's view: the EndpointSlice controller and
              // kube-proxy follow it a moment later, and until then the ClusterIP still leads
              // to the version's pods. Only the router names the version on every answer
              // (a 401 included), so consecutive answers with the header mean the data path
              // has switched too. New connections each time: kube-proxy balances connections,
              // not requests, and a kept-alive one opened before the switch stays with the pod
              // it reached.
              String stable = serviceUrl(md);
              try (HttpClient fresh = newHttpClient()) {
                for (int i = 0; i < 20; i++) {
                  HttpResponse<String> answer =
                      fresh.send(
                          HttpRequest.newBuilder(URI.create(stable + "/v2/models"))
                              .timeout(Duration.ofSeconds(2))
                              .build(),
                          HttpResponse.BodyHandlers.ofString());
                  assertThat(answer.headers().firstValue(RuntimeHttp.MODEL_VERSION_HEADER))
                      .as("answer %d through the stable Service of %s", i, md)
                      .isPresent();
                }
              }
            });
    // For the same reason, what the test sends from now on goes out on new connections; a load
    // already running keeps the client it has.
    replacedClients.add(http);
    http = newHttpClient();
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static final Pattern EFFECTIVE_WEIGHT =
      Pattern.compile(
          "^skiff_router_effective_weight\\{[^}]*version=\"([^\"]+)\"[^}]*} ([0-9.]+)$",
          Pattern.MULTILINE);

  static Map<String, Integer> effectiveWeights(String metrics) {
    Map<String, Integer> weights = new TreeMap<>();
    Matcher m = EFFECTIVE_WEIGHT.matcher(metrics);
    while (m.find()) {
      weights.put(m.group(1), (int) Double.parseDouble(m.group(2)));
    }
    return weights;
  }

  /** Running pods of a ModelDeployment, optionally of one version (router pods have none). */
  List<Pod> pods(String md, String version) {
    var pods = client.pods().inNamespace(namespace).withLabel(INSTANCE_LABEL, md);
    if (version != null) {
      pods = pods.withLabel(VERSION_LABEL, version);
    }
    return pods.list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  /** A steady iris load that leaves CPU for the control plane and the pods on 2 cores. */
  Load steadyLoad(String name, String url) throws Exception {
    String body = irisRequest();
    return Load.start(
        name,
        http,
        () -> post(url + "/v2/models/iris/infer", body),
        4,
        200_000,
        Duration.ofMinutes(6),
        150);
  }

  static String irisRequest() throws IOException {
    return Files.readString(EXAMPLES.resolve("requests/iris.json"));
  }

  HttpRequest post(String url, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return b.build();
  }

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** What a command printed in a container and its exit code. */
  record ExecResult(int exitCode, String out, String err) {}

  ExecResult exec(Pod pod, String container, String... command) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (ExecWatch watch =
        client
            .pods()
            .inNamespace(namespace)
            .withName(pod.getMetadata().getName())
            .inContainer(container)
            .writingOutput(out)
            .writingError(err)
            .exec(command)) {
      int code = watch.exitCode().get(30, TimeUnit.SECONDS);
      return new ExecResult(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
  }

  private static boolean nodeReady(Node node) {
    return node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** On a failure: each ModelDeployment's status, every pod's state and the tail of its logs. */
  void printDiagnostics() {
    if (client == null || namespace == null) {
      return;
    }
    try {
      StringBuilder sb = new StringBuilder("\n==== diagnostics of namespace " + namespace + "\n");
      for (ModelDeployment md : mds().inNamespace(namespace).list().getItems()) {
        sb.append("-- ModelDeployment ").append(md.getMetadata().getName()).append(" status: ");
        sb.append(md.getStatus() == null ? "none" : md.getStatus().getConditions());
        sb.append('\n');
      }
      List<Pod> pods = new ArrayList<>(client.pods().inNamespace(namespace).list().getItems());
      pods.addAll(client.pods().inNamespace(OPERATOR_NAMESPACE).list().getItems());
      pods.sort(Comparator.comparing(p -> p.getMetadata().getName()));
      for (Pod pod : pods) {
        sb.append("-- pod ")
            .append(pod.getMetadata().getNamespace())
            .append('/')
            .append(pod.getMetadata().getName())
            .append(' ')
            .append(pod.getStatus().getPhase())
            .append('\n');
        List<ContainerStatus> statuses = new ArrayList<>();
        if (pod.getStatus().getInitContainerStatuses() != null) {
          statuses.addAll(pod.getStatus().getInitContainerStatuses());
        }
        if (pod.getStatus().getContainerStatuses() != null) {
          statuses.addAll(pod.getStatus().getContainerStatuses());
        }
        for (ContainerStatus cs : statuses) {
          sb.append("   container ").append(cs.getName()).append(": ").append(cs.getState());
          sb.append('\n');
          try {
            String log =
                client
                    .pods()
                    .inNamespace(pod.getMetadata().getNamespace())
                    .withName(pod.getMetadata().getName())
                    .inContainer(cs.getName())
                    .tailingLines(30)
                    .getLog();
            sb.append(log.indent(6));
          } catch (RuntimeException e) {
            sb.append("      (no log: ").append(e.getMessage()).append(")\n");
          }
        }
      }
      System.out.println(sb);
    } catch (RuntimeException e) {
      System.out.println("diagnostics failed: " + e);
    }
  }
}
