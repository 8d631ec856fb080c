package dev.skiff.runtime.cli;

import dev.skiff.api.contract.Device;
import dev.skiff.api.contract.RuntimeCommand;
import dev.skiff.api.contract.RuntimeEnvironment;
import dev.skiff.api.contract.TerminationMessage;
import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.feedback.FeedbackLogOptions;
import dev.skiff.runtime.feedback.FeedbackPeers;
import dev.skiff.runtime.feedback.RecentPredictions;
import dev.skiff.runtime.image.ImageDecoder;
import dev.skiff.runtime.model.ModelControlMode;
import dev.skiff.runtime.serve.ModelControlOptions;
import dev.skiff.runtime.serve.ModelServer;
import dev.skiff.runtime.serve.ServeOptions;
import dev.skiff.runtime.web.ConnectionLimits;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code serve <model-repository>}: load every model in the folder and serve it over HTTP. */
final class ServeCommand implements Mode {

  private static final ModeOptions OPTIONS = declareOptions();

  private static ModeOptions declareOptions() {
    ModeOptions options =
        new ModeOptions(
                RuntimeCommand.SERVE,
                "Serve every model in a model repository over HTTP (Open Inference Protocol V2).")
            .parameter(
                "<model-repository>",
                "Folder laid out as <model>/model.yaml and <model>/<version>/<model file>.");
    ListenAddress.addTo(options);
    ListenAddress.addGrpcTo(options, "V2 gRPC server");
    return options
        .option(
            RuntimeCommand.INFERENCE_THREADS,
            "n",
            null,
            "Platform threads that run models. Default: one per core.")
        .option(
            RuntimeCommand.INTRA_OP_THREADS,
            "n",
            "1",
            "Threads one model call may use. Keep threads x intra-op <= cores. Default:"
                + " {default}.")
        .option(
            RuntimeCommand.QUEUE_SIZE,
            "n",
            null,
            "Requests that may wait for a thread before 503. Default: 64 per core.")
        .option(
            RuntimeCommand.MAX_PAYLOAD_BYTES,
            "bytes",
            Long.toString(ServeOptions.DEFAULT_MAX_PAYLOAD_BYTES),
            "Largest request body; larger gets 413. Default: {default}.")
        .option(
            "--max-connections",
            "n",
            Integer.toString(ServeOptions.DEFAULT_MAX_CONNECTIONS),
            "Most TCP connections open at once; near the limit the longest-idle keep-alive"
                + " ones are closed first. Default: {default}.")
        .option(
            "--idle-timeout-s",
            "s",
            Long.toString(ConnectionLimits.DEFAULT_IDLE_TIMEOUT.toSeconds()),
            "A keep-alive connection with no request for this long is closed. Default:"
                + " {default}.")
        .option(
            "--request-header-timeout-s",
            "s",
            Long.toString(ConnectionLimits.DEFAULT_HEADER_DEADLINE.toSeconds()),
            "Longest time from a request line to the end of its headers; slower clients get"
                + " 408. Default: {default}.")
        .option(
            "--request-body-timeout-s",
            "s",
            Long.toString(ConnectionLimits.DEFAULT_BODY_READ_DEADLINE.toSeconds()),
            "Longest wait for the next bytes of a request body; a stalled body gets 408."
                + " Default: {default}.")
        .option(
            RuntimeCommand.AUTH_TOKENS_FILE,
            "file",
            null,
            "File with one bearer token per line ('#' starts a comment). Also read: "
                + RuntimeEnvironment.AUTH_TOKENS
                + " (comma-separated). With no tokens, auth is off.")
        .option(
            "--device",
            "cpu|gpu",
            ModeOptions.environmentOr(RuntimeEnvironment.DEVICE, Device.CPU.value()),
            "cpu or gpu (CUDA). Default: $" + RuntimeEnvironment.DEVICE + " or cpu.")
        .option(
            RuntimeCommand.MAX_IMAGE_PIXELS,
            "pixels",
            Long.toString(ImageDecoder.DEFAULT_MAX_PIXELS),
            "Largest uploaded image (width x height, read from its header before decoding);"
                + " larger gets 413. Default: {default}.")
        .option(
            RuntimeCommand.FEEDBACK_WINDOW,
            "n",
            Integer.toString(RecentPredictions.DEFAULT_CAPACITY),
            "Most recent predictions remembered for feedback (1.."
                + ServeOptions.MAX_FEEDBACK_WINDOW
                + ", ~200 bytes each). Default: {default}.")
        .option(
            RuntimeCommand.FEEDBACK_PEERS,
            "host:port,...",
            null,
            "Other servers of the same models, asked for feedback on a prediction this one"
                + " does not remember; a host may resolve to several addresses (a headless"
                + " Service). Default: none.")
        .option(
            RuntimeCommand.FEEDBACK_LOG,
            "file",
            null,
            "JSON-lines file that feedback is appended to. Default: none (not logged).")
        .option(
            "--feedback-log-max-bytes",
            "bytes",
            Long.toString(FeedbackLogOptions.DEFAULT_MAX_BYTES),
            "Size at which the feedback log is rotated. Default: {default}.")
        .option(
            "--feedback-log-files",
            "n",
            Integer.toString(FeedbackLogOptions.DEFAULT_FILES),
            "Rotated feedback logs kept (<log>.1 .. <log>.N). Default: {default}.")
        .option(
            "--model-control",
            "none|poll|explicit",
            ModelControlMode.NONE.flag(),
            "none: load every model at start and keep it; poll: follow the repository folder"
                + " (load new models, reload changed ones, unload removed ones); explicit: load"
                + " and unload through POST /v2/repository/models/<m>/load|unload."
                + " Default: {default}.")
        .option(
            "--load-model",
            "name,...",
            null,
            "Explicit mode: the models loaded at start ('*': all). Default: all.")
        .option(
            "--repository-poll-interval-s",
            "s",
            Long.toString(ModelControlOptions.DEFAULT_POLL_INTERVAL.toSeconds()),
            "Poll mode: seconds between two scans of the repository folder; a change is loaded"
                + " once the folder held still for one scan. Default: {default}.")
        .option(
            "--model-memory-budget",
            "bytes",
            "0",
            "Most bytes of model files (their size on disk, an estimate of the memory they take)"
                + " served at once; a load that would not fit is refused. Default: 0 (none).")
        .optionalBoolean(
            RuntimeCommand.EXIT_ON_LOAD_FAILURE,
            "false",
            "Exit (code 1) once loading is over if any model or version failed to load, instead"
                + " of serving the others; the reason goes to stderr and to --termination-log."
                + " The operator sets it: a pod serves one version. Default: {default}.")
        .option(
            RuntimeCommand.TERMINATION_LOG,
            "file",
            null,
            "File for the one-line reason the server could not serve ('"
                + TerminationMessage.MODEL_LOAD_FAILED
                + ": ...'), which Kubernetes shows as the container's termination message"
                + " (the operator passes "
                + TerminationMessage.KUBERNETES_DEFAULT_PATH
                + "). Default: none.")
        .option(
            RuntimeCommand.SHUTDOWN_DELAY_S,
            "s",
            "0",
            "On SIGTERM, keep serving this long with readiness 503 and every response closing"
                + " its connection, so clients move to other pods before the server stops."
                + " Default: {default}.");
  }

  private static ModelControlOptions modelControl(ModeArguments arguments) throws UsageException {
    String flag = arguments.string("--model-control");
    ModelControlMode mode =
        ModelControlMode.fromFlag(flag)
            .orElseThrow(
                () ->
                    new UsageException(
                        "--model-control must be none, poll or explicit, not '" + flag + "'"));
    List<String> startupModels = commaList(arguments.string("--load-model"));
    long pollSeconds = arguments.longInteger("--repository-poll-interval-s");
    long budget = arguments.longInteger("--model-memory-budget");
    try {
      return new ModelControlOptions(mode, startupModels, Duration.ofSeconds(pollSeconds), budget);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  @Override
  public ModeOptions options() {
    return OPTIONS;
  }

  @Override
  public int run(ModeArguments arguments, PrintStream out, PrintStream err) throws Exception {
    Path repository = arguments.pathParameter(0);
    ListenAddress listen = ListenAddress.from(arguments);
    Integer inferenceThreads = arguments.integer(RuntimeCommand.INFERENCE_THREADS);
    int intraOpThreads = arguments.integer(RuntimeCommand.INTRA_OP_THREADS);
    Integer queueSize = arguments.integer(RuntimeCommand.QUEUE_SIZE);
    long maxPayloadBytes = arguments.longInteger(RuntimeCommand.MAX_PAYLOAD_BYTES);
    int maxConnections = arguments.integer("--max-connections");
    long idleTimeoutSeconds = arguments.longInteger("--idle-timeout-s");
    long requestHeaderTimeoutSeconds = arguments.longInteger("--request-header-timeout-s");
    long requestBodyTimeoutSeconds = arguments.longInteger("--request-body-timeout-s");
    Path authTokensFile = arguments.path(RuntimeCommand.AUTH_TOKENS_FILE);
    Device device =
        Device.fromValue(arguments.string("--device"))
            .orElseThrow(
                () ->
                    new UsageException(
                        "--device must be cpu or gpu, not '" + arguments.string("--device") + "'"));
    long maxImagePixels = arguments.longInteger(RuntimeCommand.MAX_IMAGE_PIXELS);
    Path feedbackLog = arguments.path(RuntimeCommand.FEEDBACK_LOG);
    int feedbackWindow = arguments.integer(RuntimeCommand.FEEDBACK_WINDOW);
    List<String> feedbackPeers = commaList(arguments.string(RuntimeCommand.FEEDBACK_PEERS));
    long feedbackLogMaxBytes = arguments.longInteger("--feedback-log-max-bytes");
    int feedbackLogFiles = arguments.integer("--feedback-log-files");
    long shutdownDelaySeconds = arguments.longInteger(RuntimeCommand.SHUTDOWN_DELAY_S);
    boolean exitOnLoadFailure = arguments.bool(RuntimeCommand.EXIT_ON_LOAD_FAILURE);
    Path terminationLog = arguments.path(RuntimeCommand.TERMINATION_LOG);

    if (intraOpThreads < 1
        || maxPayloadBytes < 1
        || maxConnections < 1
        || idleTimeoutSeconds < 1
        || requestHeaderTimeoutSeconds < 1
        || requestBodyTimeoutSeconds < 1) {
      throw new UsageException(
          "--intra-op-threads, --max-payload-bytes, --max-connections, --idle-timeout-s,"
              + " --request-header-timeout-s and --request-body-timeout-s must be > 0");
    }
    if (maxImagePixels < 1
        || feedbackLogMaxBytes < 1
        || feedbackLogFiles < 0
        || shutdownDelaySeconds < 0) {
      throw new UsageException(
          "--max-image-pixels and --feedback-log-max-bytes must be > 0,"
              + " --feedback-log-files and --shutdown-delay-s >= 0");
    }
    if (feedbackWindow < 1 || feedbackWindow > ServeOptions.MAX_FEEDBACK_WINDOW) {
      throw new UsageException(
          RuntimeCommand.FEEDBACK_WINDOW + " must be 1.." + ServeOptions.MAX_FEEDBACK_WINDOW);
    }
    try {
      feedbackPeers.forEach(FeedbackPeers::checkEntry);
    } catch (IllegalArgumentException e) {
      throw new UsageException(RuntimeCommand.FEEDBACK_PEERS + ": " + e.getMessage());
    }
    List<String> tokens;
    try {
      tokens = tokens(authTokensFile, System.getenv(RuntimeEnvironment.AUTH_TOKENS));
    } catch (IOException e) {
      throw new UsageException(
          "cannot read " + RuntimeCommand.AUTH_TOKENS_FILE + ": " + e.getMessage());
    }
    if ((inferenceThreads != null && inferenceThreads < 1)
        || (queueSize != null && queueSize < 1)) {
      throw new UsageException("--inference-threads and --queue-size must be > 0");
    }
    ModelControlOptions modelControl = modelControl(arguments);
    ServeOptions.Builder builder =
        ServeOptions.builder(repository)
            .modelControl(modelControl)
            .host(listen.host())
            .port(listen.port())
            .grpcPort(ListenAddress.grpcPort(arguments).orElse(ServeOptions.GRPC_OFF))
            .intraOpThreads(intraOpThreads)
            .maxPayloadBytes(maxPayloadBytes)
            .maxConnections(maxConnections)
            .idleTimeout(Duration.ofSeconds(idleTimeoutSeconds))
            .requestHeaderTimeout(Duration.ofSeconds(requestHeaderTimeoutSeconds))
            .requestBodyTimeout(Duration.ofSeconds(requestBodyTimeoutSeconds))
            .authTokens(tokens)
            .gpu(device == Device.GPU)
            .maxImagePixels(maxImagePixels)
            .feedbackLog(
                FeedbackLogOptions.builder()
                    .path(feedbackLog)
                    .maxBytes(feedbackLogMaxBytes)
                    .files(feedbackLogFiles)
                    .build())
            .feedbackWindow(feedbackWindow)
            .feedbackPeers(feedbackPeers);
    if (inferenceThreads != null) {
      builder.inferenceThreads(inferenceThreads);
    }
    if (queueSize != null) {
      builder.queueSize(queueSize);
    }
    ServeOptions options = builder.build();
    ModelServer server;
    try {
      server = ModelServer.start(options);
    } catch (ModelLoadException e) {
      TerminationLog.write(
          terminationLog,
          TerminationMessage.of(TerminationMessage.MODEL_LOAD_FAILED, e.getMessage()));
      err.println("cannot serve: " + e.getMessage());
      return 1;
    }
    Duration shutdownDelay = Duration.ofSeconds(shutdownDelaySeconds);
    CompletionStage<Integer> exit =
        exitOnLoadFailure
            ? server
                .modelsLoaded()
                .thenCompose(loaded -> stopIfAnyFailed(server, terminationLog, err))
            : new CompletableFuture<>();
    return UntilShutdown.run(
        () -> server.close(shutdownDelay),
        shutdownDelay,
        "Skiff runtime listening on http://localhost:"
            + server.port()
            + "  (Swagger UI: http://localhost:"
            + server.port()
            + "/docs)"
            + (server.grpcPort() == ServeOptions.GRPC_OFF
                ? ""
                : "  (V2 gRPC: localhost:" + server.grpcPort() + ")")
            + (tokens.isEmpty() ? "" : "  [bearer-token auth on]"),
        out,
        err,
        exit);
  }

  /**
   * Once loading is over: when something did not load, stops the server at once (it was never
   * ready, so there is nothing to drain), says why on stderr and in the termination log, and
   * completes with exit code 1; otherwise never completes.
   */
  private static CompletionStage<Integer> stopIfAnyFailed(
      ModelServer server, Path terminationLog, PrintStream err) {
    List<String> failures = server.repository().loadFailures();
    if (failures.isEmpty()) {
      return new CompletableFuture<>();
    }
    server.close();
    String detail =
        failures.get(0)
            + (failures.size() == 1
                ? ""
                : " (and " + (failures.size() - 1) + " more, see the log)");
    String line = TerminationMessage.of(TerminationMessage.MODEL_LOAD_FAILED, detail);
    TerminationLog.write(terminationLog, line);
    err.println(line);
    err.flush();
    return CompletableFuture.completedFuture(1);
  }

  /** Tokens from the file (one per line) and the environment variable (comma-separated). */
  static List<String> tokens(Path file, String env) throws IOException {
    List<String> tokens = new ArrayList<>();
    if (file != null) {
      for (String line : Files.readAllLines(file)) {
        String token = line.strip();
        if (!token.isEmpty() && !token.startsWith("#")) {
          tokens.add(token);
        }
      }
    }
    tokens.addAll(commaList(env));
    return tokens;
  }

  /** The non-blank entries of a comma-separated value; none for null. */
  static List<String> commaList(String value) {
    return value == null
        ? List.of()
        : Arrays.stream(value.split(",")).map(String::strip).filter(t -> !t.isEmpty()).toList();
  }
}
