package dev.skiff.runtime.route;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashSet;
import java.util.Set;

/**
 * The router's Prometheus metrics, all prefixed {@code skiff_router_} and labelled by version, so a
 * dashboard can put each version's observed traffic share next to its declared and effective
 * weight; every series also carries the routed {@code model}. Requests the router answers itself
 * (no version chosen) carry {@code version="none"}.
 */
final class RouterMetrics {
  static final String NO_VERSION = "none";
  private static final double[] LATENCY_BUCKETS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
  };

  private final PrometheusRegistry registry;
  private final Counter requests;
  private final Counter grpcCalls;
  private final Histogram duration;
  private final Counter backendErrors;
  private final Counter retries;
  private final Counter mirrored;
  private final Gauge declaredWeight;
  private final Gauge effectiveWeight;
  private final Gauge backendReady;
  private final Counter configReloads;
  private final Set<String> versionsWithGauges = new HashSet<>();

  /** The routed model (from the config), so router and runtime series join on {@code model}. */
  private volatile String model = "";

  RouterMetrics() {
    this(new PrometheusRegistry(), true);
  }

  RouterMetrics(PrometheusRegistry registry, boolean jvmMetrics) {
    this.registry = registry;
    requests =
        Counter.builder()
            .name("skiff_router_requests_total")
            .help("Requests answered by the router, by the version that answered and HTTP status")
            .labelNames("model", "version", "code")
            .register(registry);
    grpcCalls =
        Counter.builder()
            .name("skiff_router_grpc_calls_total")
            .help("gRPC calls answered by the router, by the version that answered and gRPC status")
            .labelNames("model", "version", "code")
            .register(registry);
    duration =
        Histogram.builder()
            .name("skiff_router_request_duration_seconds")
            .help("Time from request start until the last response byte was passed on")
            .unit(Unit.SECONDS)
            .labelNames("model", "version")
            .classicUpperBounds(LATENCY_BUCKETS)
            .classicOnly()
            .register(registry);
    backendErrors =
        Counter.builder()
            .name("skiff_router_backend_errors_total")
            .help(
                "Failed calls to a version's backend, by kind (connect, timeout, io, stream);"
                    + " a retried call counts too")
            .labelNames("model", "version", "kind")
            .register(registry);
    retries =
        Counter.builder()
            .name("skiff_router_retries_total")
            .help("Requests retried on another version after a connection error, by failed version")
            .labelNames("model", "version")
            .register(registry);
    mirrored =
        Counter.builder()
            .name("skiff_router_mirrored_requests_total")
            .help(
                "Mirror copies by result: sent (the mirror answered), failed (no answer), dropped"
                    + " (too many copies in flight), too_large (body over the mirror limit),"
                    + " not_ready (mirror version not ready), streaming (a gRPC call of more than"
                    + " one request message, not copied)")
            .labelNames("model", "version", "result")
            .register(registry);
    declaredWeight =
        Gauge.builder()
            .name("skiff_router_declared_weight")
            .help("Percent of traffic the config declares for the version")
            .labelNames("model", "version")
            .register(registry);
    effectiveWeight =
        Gauge.builder()
            .name("skiff_router_effective_weight")
            .help("Percent of unpinned traffic the version gets now (0 while not ready)")
            .labelNames("model", "version")
            .register(registry);
    backendReady =
        Gauge.builder()
            .name("skiff_router_backend_ready")
            .help("1 when the version's backend answers /health/ready with 200, else 0")
            .labelNames("model", "version")
            .register(registry);
    configReloads =
        Counter.builder()
            .name("skiff_router_config_reloads_total")
            .help("Config file changes seen, by result (success, failure)")
            .labelNames("result")
            .register(registry);
    if (jvmMetrics) {
      JvmMetrics.builder().register(registry);
    }
  }

  void requestFinished(String version, int code, double seconds) {
    requests.labelValues(model, version, Integer.toString(code)).inc();
    duration.labelValues(model, version).observe(seconds);
  }

  /** A gRPC call ended with {@code code} (a gRPC status name such as OK or UNAVAILABLE). */
  void grpcCallFinished(String version, String code, double seconds) {
    grpcCalls.labelValues(model, version, code).inc();
    duration.labelValues(model, version).observe(seconds);
  }

  void backendError(String version, String kind) {
    backendErrors.labelValues(model, version, kind).inc();
  }

  void retried(String failedVersion) {
    retries.labelValues(model, failedVersion).inc();
  }

  void mirrored(String version, String result) {
    mirrored.labelValues(model, version, result).inc();
  }

  void configReloaded(boolean success) {
    configReloads.labelValues(success ? "success" : "failure").inc();
  }

  /** Sets the weight and readiness gauges from a new table; drops versions no longer configured. */
  synchronized void table(RoutingTable table) {
    if (!table.config().model().equals(model)) {
      declaredWeight.clear();
      effectiveWeight.clear();
      backendReady.clear();
      versionsWithGauges.clear();
      model = table.config().model();
    }
    Set<String> now = new HashSet<>();
    for (RouterConfig.Version version : table.config().versions()) {
      now.add(version.name());
      declaredWeight.labelValues(model, version.name()).set(version.weight());
      effectiveWeight.labelValues(model, version.name()).set(table.effectiveWeight(version.name()));
      backendReady.labelValues(model, version.name()).set(table.isReady(version.name()) ? 1 : 0);
    }
    for (String gone : versionsWithGauges) {
      if (!now.contains(gone)) {
        declaredWeight.remove(model, gone);
        effectiveWeight.remove(model, gone);
        backendReady.remove(model, gone);
      }
    }
    versionsWithGauges.clear();
    versionsWithGauges.addAll(now);
  }

  void write(OutputStream out) throws IOException {
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
  }

  static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }
}
