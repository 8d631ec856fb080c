package dev.skiff.runtime.serve;

import dev.skiff.api.contract.RuntimeHttp;
import dev.skiff.runtime.feedback.FeedbackLogOptions;
import dev.skiff.runtime.feedback.FeedbackPeers;
import dev.skiff.runtime.feedback.RecentPredictions;
import dev.skiff.runtime.image.ImageDecoder;
import dev.skiff.runtime.web.ConnectionLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything {@link ModelServer} needs to serve a model repository; built by the command line and
 * by tests with {@link #builder}, which starts from the command line's defaults.
 *
 * @param repository the model repository folder
 * @param host address to bind
 * @param port port to bind; 0 picks a free one
 * @param grpcPort port of the V2 gRPC server, bound on the same host; 0 picks a free one, {@link
 *     #GRPC_OFF} serves no gRPC
 * @param inferenceThreads platform threads that run models
 * @param intraOpThreads threads one model call may use inside the backend
 * @param queueSize requests that may wait for an inference thread before 503
 * @param maxPayloadBytes largest request body accepted (413 beyond)
 * @param maxConnections most TCP connections held open at once
 * @param authTokens bearer tokens; empty disables authentication
 * @param gpu run models on the GPU
 * @param maxImagePixels largest uploaded image, width x height, read from its header (413 beyond)
 * @param feedbackLog where feedback is logged (path null: not logged)
 * @param feedbackWindow predictions remembered for feedback (the most recent ones)
 * @param feedbackPeers {@code host:port} of the other servers of the same models, asked for
 *     feedback on predictions this server does not remember; empty: none
 * @param idleTimeout a keep-alive connection with no request for this long is closed
 * @param requestHeaderTimeout longest time from a request line to the end of its headers (408)
 * @param requestBodyTimeout longest wait for the next bytes of a request body (408)
 * @param modelControl how the served models may change while the server runs
 */
public record ServeOptions(
    Path repository,
    String host,
    int port,
    int grpcPort,
    int inferenceThreads,
    int intraOpThreads,
    int queueSize,
    long maxPayloadBytes,
    int maxConnections,
    List<String> authTokens,
    boolean gpu,
    long maxImagePixels,
    FeedbackLogOptions feedbackLog,
    int feedbackWindow,
    List<String> feedbackPeers,
    Duration idleTimeout,
    Duration requestHeaderTimeout,
    Duration requestBodyTimeout,
    ModelControlOptions modelControl) {

  public static final long DEFAULT_MAX_PAYLOAD_BYTES = 32L * 1024 * 1024;
  public static final int DEFAULT_MAX_CONNECTIONS = ConnectionLimits.DEFAULT_MAX_CONNECTIONS;

  /** About 200 bytes of heap per remembered prediction: 1,000,000 is ~200 MB. */
  public static final int MAX_FEEDBACK_WINDOW = 1_000_000;

  /** {@link #grpcPort} of a server without gRPC. */
  public static final int GRPC_OFF = -1;

  public ServeOptions {
    if (grpcPort < GRPC_OFF || grpcPort > 65535) {
      throw new IllegalArgumentException("the gRPC port must be 0..65535, or GRPC_OFF");
    }
    authTokens = List.copyOf(authTokens);
    feedbackPeers = List.copyOf(feedbackPeers);
    feedbackPeers.forEach(FeedbackPeers::checkEntry);
    if (feedbackWindow < 1 || feedbackWindow > MAX_FEEDBACK_WINDOW) {
      throw new IllegalArgumentException(
          "the feedback window must be 1.." + MAX_FEEDBACK_WINDOW + " predictions");
    }
    if (inferenceThreads < 1 || intraOpThreads < 1 || queueSize < 1) {
      throw new IllegalArgumentException(
          "inference threads, intra-op threads and queue size must be > 0");
    }
    if (maxPayloadBytes < 1 || maxConnections < 1 || maxImagePixels < 1) {
      throw new IllegalArgumentException("payload, connection and image limits must be > 0");
    }
    // checked here too, so a bad value fails at start, not at the first connection
    connectionLimits(maxConnections, idleTimeout, requestHeaderTimeout, requestBodyTimeout);
  }

  /** The connection limits of the listener these options describe. */
  public ConnectionLimits connectionLimits() {
    return connectionLimits(maxConnections, idleTimeout, requestHeaderTimeout, requestBodyTimeout);
  }

  private static ConnectionLimits connectionLimits(
      int maxConnections,
      Duration idleTimeout,
      Duration requestHeaderTimeout,
      Duration requestBodyTimeout) {
    return new ConnectionLimits(
        maxConnections, idleTimeout, requestHeaderTimeout, requestBodyTimeout);
  }

  /** Defaults sized to this machine: one single-threaded runner per core, 64 queued per core. */
  public static Builder builder(Path repository) {
    return new Builder(repository);
  }

  /** Builds {@link ServeOptions}; every field starts at the command line's default. */
  public static final class Builder {
    private final Path repository;
    private String host = "0.0.0.0";
    private int port = RuntimeHttp.PORT;
    private int grpcPort = GRPC_OFF;
    private int inferenceThreads = Runtime.getRuntime().availableProcessors();
    private int intraOpThreads = 1;
    private int queueSize = 64 * Runtime.getRuntime().availableProcessors();
    private long maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private List<String> authTokens = List.of();
    private boolean gpu;
    private long maxImagePixels = ImageDecoder.DEFAULT_MAX_PIXELS;
    private FeedbackLogOptions feedbackLog = FeedbackLogOptions.OFF;
    private int feedbackWindow = RecentPredictions.DEFAULT_CAPACITY;
    private List<String> feedbackPeers = List.of();
    private Duration idleTimeout = ConnectionLimits.DEFAULT_IDLE_TIMEOUT;
    private Duration requestHeaderTimeout = ConnectionLimits.DEFAULT_HEADER_DEADLINE;
    private Duration requestBodyTimeout = ConnectionLimits.DEFAULT_BODY_READ_DEADLINE;
    private ModelControlOptions modelControl = ModelControlOptions.DEFAULT;

    private Builder(Path repository) {
      this.repository = repository;
    }

    public Builder host(String value) {
      this.host = value;
      return this;
    }

    public Builder port(int value) {
      this.port = value;
      return this;
    }

    /**
     * The V2 gRPC port; {@link #GRPC_OFF} by default here (tests start many servers), 8081 on the
     * command line.
     */
    public Builder grpcPort(int value) {
      this.grpcPort = value;
      return this;
    }

    public Builder inferenceThreads(int value) {
      this.inferenceThreads = value;
      return this;
    }

    public Builder intraOpThreads(int value) {
      this.intraOpThreads = value;
      return this;
    }

    public Builder queueSize(int value) {
      this.queueSize = value;
      return this;
    }

    public Builder maxPayloadBytes(long value) {
      this.maxPayloadBytes = value;
      return this;
    }

    public Builder maxConnections(int value) {
      this.maxConnections = value;
      return this;
    }

    public Builder authTokens(List<String> value) {
      this.authTokens = value;
      return this;
    }

    public Builder gpu(boolean value) {
      this.gpu = value;
      return this;
    }

    public Builder maxImagePixels(long value) {
      this.maxImagePixels = value;
      return this;
    }

    public Builder feedbackLog(FeedbackLogOptions value) {
      this.feedbackLog = value;
      return this;
    }

    public Builder feedbackWindow(int value) {
      this.feedbackWindow = value;
      return this;
    }

    public Builder feedbackPeers(List<String> value) {
      this.feedbackPeers = value;
      return this;
    }

    public Builder idleTimeout(Duration value) {
      this.idleTimeout = value;
      return this;
    }

    public Builder requestHeaderTimeout(Duration value) {
      this.requestHeaderTimeout = value;
      return this;
    }

    public Builder requestBodyTimeout(Duration value) {
      this.requestBodyTimeout = value;
      return this;
    }

    public Builder modelControl(ModelControlOptions value) {
      this.modelControl = value;
      return this;
    }

    public ServeOptions build() {
      return new ServeOptions(
          repository,
          host,
          port,
          grpcPort,
          inferenceThreads,
          intraOpThreads,
          queueSize,
          maxPayloadBytes,
          maxConnections,
          authTokens,
          gpu,
          maxImagePixels,
          feedbackLog,
          feedbackWindow,
          feedbackPeers,
          idleTimeout,
          requestHeaderTimeout,
          requestBodyTimeout,
          modelControl);
    }
  }
}
