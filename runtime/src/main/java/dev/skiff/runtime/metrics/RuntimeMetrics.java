package dev.skiff.runtime.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryPoolAllocationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The runtime's Prometheus metrics, all prefixed {@code skiff_}, in base units (seconds), labelled
 * by model and version so dashboards can compare versions during a canary.
 */
public final class RuntimeMetrics {
  private static final double[] LATENCY_BUCKETS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

  private final PrometheusRegistry registry;
  private final Counter requests;
  private final Histogram requestDuration;
  private final Counter grpcRequests;
  private final Histogram grpcRequestDuration;
  private final Histogram inferenceDuration;
  private final Histogram queueDuration;
  private final Histogram batchSize;
  private final Gauge inflight;
  private final Counter rejected;

  /**
   * The model label of requests for a name the server does not serve: labels come only from known
   * names, so a client cannot grow /metrics by one series per name it makes up.
   */
  public static final String UNKNOWN_MODEL = "unknown";

  private final Gauge modelLoaded;
  private final Gauge loadDuration;
  private final Gauge queueDepth;
  private final Counter feedback;
  private final Counter feedbackForwarded;
  private final Counter repositoryOperations;

  public RuntimeMetrics() {
    this(new PrometheusRegistry(), true);
  }

  RuntimeMetrics(PrometheusRegistry registry, boolean jvmMetrics) {
    this.registry = registry;
    requests =
        Counter.builder()
            .name("skiff_requests_total")
            .help("Inference and metadata requests answered, by HTTP status code")
            .labelNames("model", "version", "code")
            .register(registry);
    requestDuration =
        Histogram.builder()
            .name("skiff_request_duration_seconds")
            .help("Time from request start to response, including queueing and encoding")
            .unit(Unit.SECONDS)
            .labelNames("model", "version")
            .classicUpperBounds(LATENCY_BUCKETS)
            .classicOnly()
            .register(registry);
    // gRPC calls get their own pair: their status codes are gRPC's (OK, INVALID_ARGUMENT, ...),
    // which would break every "code is 2xx" query over skiff_requests_total.
    grpcRequests =
        Counter.builder()
            .name("skiff_grpc_requests_total")
            .help("V2 gRPC inference calls answered, by gRPC status code")
            .labelNames("model", "version", "code")
            .register(registry);
    grpcRequestDuration =
        Histogram.builder()
            .name("skiff_grpc_request_duration_seconds")
            .help("Time from a gRPC inference call's start to its answer, including queueing")
            .unit(Unit.SECONDS)
            .labelNames("model", "version")
            .classicUpperBounds(LATENCY_BUCKETS)
            .classicOnly()
            .register(registry);
    inferenceDuration =
        Histogram.builder()
            .name("skiff_inference_duration_seconds")
            .help("Time the backend spent running the model")
            .labelNames("model", "version")
            .classicUpperBounds(LATENCY_BUCKETS)
            .classicOnly()
            .register(registry);
    queueDuration =
        Histogram.builder()
            .name("skiff_queue_duration_seconds")
            .help(
                "Time a request waited for an inference thread (with dynamic batching: from"
                    + " joining the batch queue until its batch started)")
            .labelNames("model", "version")
            .classicUpperBounds(LATENCY_BUCKETS)
            .classicOnly()
            .register(registry);
    batchSize =
        Histogram.builder()
            .name("skiff_batch_size")
            .help("Rows per model call of a version with dynamic batching")
            .labelNames("model", "version")
            .classicUpperBounds(BATCH_SIZE_BUCKETS)
            .classicOnly()
            .register(registry);
    inflight =
        Gauge.builder()
            .name("skiff_inflight_requests")
            .help("Inference requests being processed now")
            .labelNames("model", "version")
            .register(registry);
    rejected =
        Counter.builder()
            .name("skiff_rejected_requests_total")
            .help(
                "Requests refused before inference, by reason (invalid_request, unauthorized,"
                    + " not_found, payload_too_large, overloaded, unavailable)")
            .labelNames("model", "version", "reason")
            .register(registry);
    modelLoaded =
        Gauge.builder()
            .name("skiff_model_loaded")
            .help("1 when the model version is loaded and warmed up, 0 otherwise")
            .labelNames("model", "version")
            .register(registry);
    repositoryOperations =
        Counter.builder()
            .name("skiff_model_repository_operations_total")
            .help("Model loads and unloads after start (API or poll), by outcome")
            .labelNames("operation", "outcome")
            .register(registry);
    loadDuration =
        Gauge.builder()
            .name("skiff_model_load_duration_seconds")
            .help("How long loading and warming up the model version took")
            .labelNames("model", "version")
            .register(registry);
    queueDepth =
        Gauge.builder()
            .name("skiff_queue_depth")
            .help("Inference requests waiting for a thread")
            .register(registry);
    feedback =
        Counter.builder()
            .name("skiff_feedback_total")
            .help(
                "Feedback on predictions, by outcome (correct, incorrect): live accuracy per"
                    + " version")
            .labelNames("model", "version", "outcome")
            .register(registry);
    feedbackForwarded =
        Counter.builder()
            .name("skiff_feedback_forwarded_total")
            .help(
                "Feedback this server did not remember and forwarded to its peers, by outcome:"
                    + " recorded (a peer had the prediction), unknown (none had), unreachable"
                    + " (none had, some could not be asked: answered 503)")
            .labelNames("model", "outcome")
            .register(registry);
    if (jvmMetrics) {
      // JvmMetrics minus JvmNativeMemoryMetrics: that one asks the diagnostic-command MBean at
      // start
      // (a tenth of start-up time) and reports nothing unless -XX:NativeMemoryTracking is on.
      JvmThreadsMetrics.builder().register(registry);
      JvmBufferPoolMetrics.builder().register(registry);
      JvmClassLoadingMetrics.builder().register(registry);
      JvmCompilationMetrics.builder().register(registry);
      JvmGarbageCollectorMetrics.builder().register(registry);
      JvmMemoryPoolAllocationMetrics.builder().register(registry);
      JvmMemoryMetrics.builder().register(registry);
      JvmRuntimeInfoMetric.builder().register(registry);
      ProcessMetrics.builder().register(registry);
    }
  }

  public void requestFinished(String model, String version, int code, double seconds) {
    requests.labelValues(model, version, Integer.toString(code)).inc();
    requestDuration.labelValues(model, version).observe(seconds);
  }

  /** One V2 gRPC inference call answered with {@code code} (a gRPC status code name). */
  public void grpcRequestFinished(String model, String version, String code, double seconds) {
    grpcRequests.labelValues(model, version, code).inc();
    grpcRequestDuration.labelValues(model, version).observe(seconds);
  }

  public void rejected(String model, String version, String reason) {
    rejected.labelValues(model, version, reason).inc();
  }

  public void inferenceFinished(
      String model, String version, double queueSeconds, double runSeconds) {
    queueDuration.labelValues(model, version).observe(queueSeconds);
    inferenceDuration.labelValues(model, version).observe(runSeconds);
  }

  /** A request's wait in the dynamic batch queue, until its batch started running. */
  public void queued(String model, String version, double queueSeconds) {
    queueDuration.labelValues(model, version).observe(queueSeconds);
  }

  /** One model call of a dynamic batch: its rows and how long the backend ran. */
  public void batchFinished(String model, String version, long rows, double runSeconds) {
    batchSize.labelValues(model, version).observe((double) rows);
    inferenceDuration.labelValues(model, version).observe(runSeconds);
  }

  public void inflight(String model, String version, int delta) {
    inflight.labelValues(model, version).inc(delta);
  }

  public void queueDepth(int depth) {
    queueDepth.set(depth);
  }

  /** A load or unload through the repository API or the poller: succeeded or failed. */
  public void repositoryOperation(String operation, boolean succeeded) {
    repositoryOperations.labelValues(operation, succeeded ? "succeeded" : "failed").inc();
  }

  /** The version no longer serves. */
  public void modelUnloaded(String model, String version) {
    modelLoaded.labelValues(model, version).set(0);
  }

  public void modelLoaded(String model, String version, boolean loaded, double loadSeconds) {
    modelLoaded.labelValues(model, version).set(loaded ? 1 : 0);
    loadDuration.labelValues(model, version).set(loadSeconds);
  }

  /** One piece of feedback on a prediction of this version. */
  public void feedback(String model, String version, boolean correct) {
    feedback.labelValues(model, version, correct ? "correct" : "incorrect").inc();
  }

  /** One piece of feedback forwarded to the peers, and what came of it. */
  public void feedbackForwarded(String model, String outcome) {
    feedbackForwarded.labelValues(model, outcome).inc();
  }

  /** Writes every metric in the Prometheus text format (version 0.0.4). */
  public void write(OutputStream out) throws IOException {
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
  }

  public static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }
}
