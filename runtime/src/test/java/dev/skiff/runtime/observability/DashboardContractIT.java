package dev.skiff.runtime.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.runtime.route.RouterOptions;
import dev.skiff.runtime.route.RouterServer;
import dev.skiff.runtime.serve.ModelServer;
import dev.skiff.runtime.serve.ServeOptions;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "Skiff models" dashboard's contract with the runtime: a real Prometheus (Debian's package)
 * scrapes a live runtime and the router in front of it after they served good and bad requests (the
 * same labels a PodMonitor gives them in a cluster); every panel's PromQL, with the dashboard's
 * variables substituted, must return data, and every metric a panel names must be in {@code
 * /metrics}. Skipped, saying so, where no {@code prometheus} binary is installed. The operator's
 * dashboard is proven against a live operator by the operator module's OperatorDashboardContractIT.
 */
class DashboardContractIT {
  private static final Path DASHBOARDS = Path.of("../helm/skiff/dashboards");

  /** The dashboards whose metrics the runtime and router expose. */
  private static final Set<String> RUNTIME_DASHBOARDS = Set.of("skiff-models.json");

  private static final Pattern METRIC = Pattern.compile("\\b(skiff_[a-z_]+|process_[a-z_]+)\\b");
  private static final Map<String, String> VARIABLES =
      Map.of(
          "$namespace", ".*",
          "$model", ".*",
          "$version", ".*",
          "$__rate_interval", "1m");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path work;
  static ModelServer runtime;
  static RouterServer router;
  static Process prometheus;
  static String prometheusUrl;
  static String metricsText;
  static String runtimeMetrics;
  static String routerMetrics;

  @BeforeAll
  static void scrapeALiveRuntime() throws Exception {
    assumeTrue(
        onPath("prometheus"),
        "SKIPPED: no prometheus binary (apt-get install prometheus; .ci/run installs it)");
    runtime =
        ModelServer.start(ServeOptions.builder(Path.of("../examples/models")).port(0).build());
    runtime.awaitModelsLoaded(Duration.ofSeconds(60));
    Path routerConfig = work.resolve("router.yaml");
    Files.writeString(
        routerConfig,
        "model: iris\nversions:\n  - {name: v1, url: \"http://127.0.0.1:%d\", weight: 100}\n"
            .formatted(runtime.port()));
    router = RouterServer.start(RouterOptions.builder(routerConfig).port(0).build());
    String base = "http://127.0.0.1:" + router.port();
    awaitRouterReady(base);
    String body = Files.readString(Path.of("../examples/requests/iris.json"));
    for (int i = 0; i < 20; i++) {
      post(base + "/v2/models/iris/infer", body);
      post(
          base + "/v2/models/digits/infer",
          Files.readString(Path.of("../examples/requests/digits.json")));
      post(base + "/v2/models/iris/infer", "{\"inputs\":[]}");
    }
    int port = freePort();
    Path config = work.resolve("prometheus.yml");
    Files.writeString(
        config,
        """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: skiff-runtime
            static_configs:
              - targets: ["127.0.0.1:%d"]
                labels: {namespace: skiff-test, pod: iris-v1-0}
          - job_name: skiff-router
            static_configs:
              - targets: ["127.0.0.1:%d"]
                labels: {namespace: skiff-test, pod: iris-router-0}
        """
            .formatted(runtime.port(), router.port()));
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
    // Wait for enough scrapes that rate() over the traffic has two samples on each side.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (query("up").size() == 0 || query("skiff_requests_total").size() == 0) {
      assertThat(System.nanoTime()).as("Prometheus scraped the runtime").isLessThan(deadline);
      Thread.sleep(500);
    }
    String direct = "http://127.0.0.1:" + runtime.port();
    String digits = Files.readString(Path.of("../examples/requests/digits.json"));
    for (int i = 0; i < 20; i++) {
      post(base + "/v2/models/iris/infer", body);
      // A prediction under a known request id, then feedback on it (the accuracy panel).
      post(
          direct + "/v2/models/digits/infer",
          digits.replaceFirst("\\{", "{\"id\":\"dash-" + i + "\","));
      post(
          direct + "/v1/models/digits/feedback",
          "{\"id\":\"dash-" + i + "\",\"correct\":" + (i % 4 != 0) + "}");
      Thread.sleep(150);
    }
    Thread.sleep(2000);
    runtimeMetrics = get("http://127.0.0.1:" + runtime.port() + "/metrics");
    routerMetrics = get(base + "/metrics");
    metricsText = runtimeMetrics + routerMetrics;
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.destroy();
    }
    if (router != null) {
      router.close();
    }
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  void everyPanelQueryReturnsData() throws Exception {
    List<String> empty = new ArrayList<>();
    int checked = 0;
    for (JsonNode dashboard : dashboards()) {
      for (JsonNode panel : dashboard.get("panels")) {
        for (JsonNode target : panel.get("targets")) {
          String expr = substitute(target.get("expr").asText());
          checked++;
          if (query(expr).isEmpty()) {
            empty.add(
                dashboard.get("title").asText()
                    + " / "
                    + panel.get("title").asText()
                    + ": "
                    + expr);
          }
        }
      }
    }
    assertThat(checked).isGreaterThan(10);
    assertThat(empty).as("panels whose query returned no data").isEmpty();
  }

  @Test
  void everyVariableQueryFindsValues() throws Exception {
    Pattern labelValues = Pattern.compile("label_values\\((.*), (\\w+)\\)");
    for (JsonNode dashboard : dashboards()) {
      for (JsonNode variable : dashboard.at("/templating/list")) {
        if (!variable.get("type").asText().equals("query")) {
          continue;
        }
        Matcher m = labelValues.matcher(variable.get("definition").asText());
        assertThat(m.matches()).as(variable.toString()).isTrue();
        String label = m.group(2);
        JsonNode series = query("count by (" + label + ") (" + substitute(m.group(1)) + ")");
        assertThat(series).as("values of $" + variable.get("name").asText()).isNotEmpty();
      }
    }
  }

  @Test
  void everyMetricAPanelNamesIsExposedAndPassesPromtool() throws Exception {
    Set<String> names = new TreeSet<>();
    for (JsonNode dashboard : dashboards()) {
      Matcher m = METRIC.matcher(dashboard.toString());
      while (m.find()) {
        names.add(m.group(1).replaceFirst("_(bucket|sum|count)$", ""));
      }
    }
    List<String> missing =
        names.stream()
            .filter(
                n ->
                    !Pattern.compile("(?m)^" + n + "(_bucket|_total)?[{ ]")
                        .matcher(metricsText)
                        .find())
            .toList();
    assertThat(names).contains("skiff_requests_total", "skiff_router_declared_weight");
    assertThat(missing).as("metrics named by a panel but absent from /metrics").isEmpty();
    if (onPath("promtool")) {
      for (String exposition : List.of(runtimeMetrics, routerMetrics)) {
        Process promtool =
            new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        promtool.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        promtool.getOutputStream().close();
        String out = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor()).as(out).isZero();
      }
    }
  }

  private static List<JsonNode> dashboards() throws IOException {
    List<JsonNode> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(DASHBOARDS)) {
      for (Path file :
          files
              .filter(f -> RUNTIME_DASHBOARDS.contains(f.getFileName().toString()))
              .sorted()
              .toList()) {
        JsonNode dashboard = JSON.readTree(file.toFile());
        assertThat(dashboard.toString()).doesNotContain("${DS_").doesNotContain("__inputs");
        all.add(dashboard);
      }
    }
    assertThat(all).hasSameSizeAs(RUNTIME_DASHBOARDS);
    return all;
  }

  private static String substitute(String expr) {
    String result = expr;
    for (Map.Entry<String, String> v : VARIABLES.entrySet()) {
      result = result.replace(v.getKey(), v.getValue());
    }
    return result;
  }

  private static JsonNode query(String promql) throws IOException, InterruptedException {
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

  private static void post(String url, String body) throws IOException, InterruptedException {
    HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  private static String get(String url) throws IOException, InterruptedException {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static void awaitRouterReady(String base) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding())
            .statusCode()
        != 200) {
      assertThat(System.nanoTime()).as("router ready").isLessThan(deadline);
      Thread.sleep(100);
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
