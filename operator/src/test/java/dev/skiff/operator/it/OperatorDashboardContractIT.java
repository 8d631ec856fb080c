package dev.skiff.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.operator.HealthServer;
import dev.skiff.operator.OperatorMetrics;
import dev.skiff.operator.SkiffOperator;
import dev.skiff.operator.status.ConditionType;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The "Skiff operator" dashboard's contract with the operator: the operator runs in-process against
 * the real API server with its Prometheus registry on {@link HealthServer}'s {@code /metrics}, and
 * reconciles a valid ModelDeployment (Ready=True), an invalid one (Ready=False, the not-Ready
 * table) and one whose ConfigMap a ResourceQuota refuses (failures by exception, retries). A real
 * Prometheus (Debian's package) scrapes the operator; every panel's PromQL, with the variables
 * substituted, must return data, and every metric a panel names must be in {@code /metrics} and
 * pass {@code promtool check metrics}. Skipped, saying so, where no {@code prometheus} binary is
 * installed. The Prometheus start and query code mirrors the runtime module's DashboardContractIT
 * (no test jar is shared between modules).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorDashboardContractIT extends ClusterTestSupport {

  private static final Path DASHBOARD =
      Path.of(System.getProperty("skiff.dashboards", "../helm/skiff/dashboards"))
          .resolve("skiff-operator.json");
  private static final Pattern METRIC = Pattern.compile("\\b(skiff_operator_[a-z_]+)\\b");
  private static final Path CHART = DASHBOARD.getParent().getParent();
  private static final String INVALID = "a-rather-long-model-deployment-name-for-tests";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private HealthServer health;
  private Path work;
  private Process prometheus;
  private String prometheusUrl;
  private JsonNode dashboard;
  private Map<String, String> variables;
  private List<String> emptyBeforeFirstFailure;

  /** The operator as Main wires it: OperatorMetrics in JOSDK and in the reconciler. */
  @Override
  void startOperator() {
    PrometheusRegistry registry = new PrometheusRegistry();
    OperatorMetrics metrics = new OperatorMetrics(registry);
    operator =
        new SkiffOperator(
            client,
            SkiffOperator.Config.forNamespaces(Set.of(namespace), RUNTIME_IMAGE),
            metrics,
            metrics.conditions());
    try {
      health = new HealthServer(0, () -> true, operator::isReady, registry);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    health.start();
    operator.start();
  }

  @Override
  void stopOperator() {
    super.stopOperator();
    if (health != null) {
      health.close();
      health = null;
    }
  }

  @BeforeAll
  void reconcileAndScrape() throws Exception {
    assumeTrue(
        onPath("prometheus"),
        "SKIPPED: no prometheus binary (apt-get install prometheus; .ci/run installs it)");
    dashboard = JSON.readTree(DASHBOARD.toFile());
    assertThat(dashboard.toString()).doesNotContain("${DS_").doesNotContain("__inputs");

    apply(example("iris.yaml"));
    apply(
        """
        apiVersion: skiff.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: %s}
        spec:
          versions: [{name: version-with-long-name, uri: "https://x/m.onnx"}]
        """
            .formatted(INVALID));
    awaitCondition("iris", ConditionType.READY, "True");
    awaitCondition(INVALID, ConditionType.READY, "False");
    // No new ConfigMaps in the namespace: the next ModelDeployment's reconciliations throw.
    client
        .resourceQuotas()
        .inNamespace(namespace)
        .resource(
            new ResourceQuotaBuilder()
                .withNewMetadata()
                .withName("no-configmaps")
                .endMetadata()
                .withNewSpec()
                .addToHard("count/configmaps", new Quantity("0"))
                .endSpec()
                .build())
        .create();

    work = Files.createTempDirectory("skiff-operator-dashboard");
    int port = freePort();
    Path config = work.resolve("prometheus.yml");
    // Scraped as the chart's ServiceMonitor has the Prometheus operator scrape it: the target
    // carries the operator pod's namespace and pod, and honor_labels is the ServiceMonitor's.
    Files.writeString(
        config,
        """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: skiff-operator
            honor_labels: %s
            static_configs:
              - targets: ["127.0.0.1:%d"]
                labels: {namespace: skiff-system, pod: skiff-operator-0}
        """
            .formatted(serviceMonitorHonorsLabels(), health.port()));
    // The namespace variable set to the ModelDeployments' namespace, as a user picks it.
    variables = Map.of("$namespace", namespace, "$__rate_interval", "1m");
    prometheus =
        new ProcessBuilder(
                "prometheus",
                "--config.file=" + config,
                "--storage.tsdb.path=" + work.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("prometheus.log").toFile())
            .start();
    prometheusUrl = "http://127.0.0.1:" + port;
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> !query("skiff_operator_reconciliations_total").isEmpty());
    // every panel has data from the start, not "No data" until something has gone wrong
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> !query("rate(skiff_operator_reconciliations_total[1m])").isEmpty());
    emptyBeforeFirstFailure = emptyPanels();

    apply(example("iris.yaml").replace("name: iris", "name: blocked"));
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> !query("skiff_operator_reconciliation_failures_total").isEmpty());
    // a few more scrapes, so rate() sees the failures and retries on both sides
    Thread.sleep(5000);
  }

  @AfterAll
  void stopPrometheus() {
    if (prometheus != null) {
      prometheus.destroy();
    }
  }

  @Test
  @Order(1)
  void everyPanelQueryReturnsData() throws Exception {
    assertThat(dashboard.get("panels").size()).isGreaterThanOrEqualTo(7);
    assertThat(emptyPanels()).as("panels whose query returned no data").isEmpty();
  }

  @Test
  @Order(1)
  void everyPanelHasDataBeforeTheFirstFailure() {
    assertThat(emptyBeforeFirstFailure)
        .as("panels with no data before the first reconciliation failure")
        .isEmpty();
  }

  private List<String> emptyPanels() throws IOException, InterruptedException {
    List<String> empty = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      for (JsonNode target : panel.get("targets")) {
        String expr = substitute(target.get("expr").asText());
        if (query(expr).isEmpty()) {
          empty.add(panel.get("title").asText() + ": " + expr);
        }
      }
    }
    return empty;
  }

  /** {@code honorLabels} of the ServiceMonitor the chart renders with monitoring on. */
  private static boolean serviceMonitorHonorsLabels() throws IOException, InterruptedException {
    Process helm =
        new ProcessBuilder(
                "helm",
                "template",
                "skiff",
                CHART.toString(),
                "--set",
                "metrics.serviceMonitor.enabled=true",
                "--show-only",
                "templates/monitoring.yaml")
            .redirectErrorStream(true)
            .start();
    String rendered = new String(helm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(helm.waitFor()).as("helm template: " + rendered).isZero();
    GenericKubernetesResource monitor =
        Serialization.unmarshal(rendered, GenericKubernetesResource.class);
    Object honor = monitor.get("spec", "endpoints", 0, "honorLabels");
    return Boolean.TRUE.equals(honor);
  }

  @Test
  @Order(2)
  void everyVariableQueryFindsValues() throws Exception {
    Pattern labelValues = Pattern.compile("label_values\\((.*), (\\w+)\\)");
    for (JsonNode variable : dashboard.at("/templating/list")) {
      if (!variable.get("type").asText().equals("query")) {
        continue;
      }
      Matcher m = labelValues.matcher(variable.get("definition").asText());
      assertThat(m.matches()).as(variable.toString()).isTrue();
      JsonNode series = query("count by (" + m.group(2) + ") (" + substitute(m.group(1)) + ")");
      assertThat(series).as("values of $" + variable.get("name").asText()).isNotEmpty();
    }
  }

  @Test
  @Order(3)
  void everyMetricAPanelNamesIsExposedAndPassesPromtool() throws Exception {
    String metrics = get("http://127.0.0.1:" + health.port() + "/metrics");
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(dashboard.toString());
    while (m.find()) {
      names.add(m.group(1).replaceFirst("_(bucket|sum|count)$", ""));
    }
    List<String> missing =
        names.stream()
            .filter(
                n ->
                    !Pattern.compile("(?m)^" + n + "(_bucket|_total)?[{ ]").matcher(metrics).find())
            .toList();
    assertThat(names)
        .contains(
            "skiff_operator_reconciliations_total",
            "skiff_operator_modeldeployment_condition",
            "skiff_operator_reconciliations_in_progress");
    assertThat(missing).as("metrics named by a panel but absent from /metrics").isEmpty();
    if (onPath("promtool")) {
      Process promtool =
          new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
      promtool.getOutputStream().write(metrics.getBytes(StandardCharsets.UTF_8));
      promtool.getOutputStream().close();
      String out = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(promtool.waitFor()).as(out).isZero();
    }
  }

  /** JOSDK's delete callback removes a deleted ModelDeployment's condition series. */
  @Test
  @Order(4)
  void deletingAModelDeploymentRemovesItsConditionSeries() {
    String series = "skiff_operator_modeldeployment_condition{name=\"" + INVALID + "\"";
    assertThat(get("http://127.0.0.1:" + health.port() + "/metrics")).contains(series);

    mds().inNamespace(namespace).withName(INVALID).delete();

    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(get("http://127.0.0.1:" + health.port() + "/metrics"))
                    .doesNotContain(series)
                    .contains("skiff_operator_modeldeployment_condition{name=\"iris\""));
  }

  private String substitute(String expr) {
    String result = expr;
    for (Map.Entry<String, String> v : variables.entrySet()) {
      result = result.replace(v.getKey(), v.getValue());
    }
    return result;
  }

  private JsonNode query(String promql) throws IOException, InterruptedException {
    String url =
        prometheusUrl + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8);
    HttpResponse<String> response;
    try {
      response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return JSON.createArrayNode(); // Prometheus still starting
    }
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("status").asText())
        .as(promql + " → " + response.body())
        .isEqualTo("success");
    return body.at("/data/result");
  }

  private static String get(String url) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean onPath(String binary) {
    return Stream.of(System.getenv("PATH").split(":"))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, binary)));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
