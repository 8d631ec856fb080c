package dev.skiff.runtime.serve;

import dev.skiff.runtime.backend.BackendOptions;
import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.execution.InferenceExecutor;
import dev.skiff.runtime.execution.Runners;
import dev.skiff.runtime.feedback.FeedbackLog;
import dev.skiff.runtime.feedback.FeedbackPeers;
import dev.skiff.runtime.feedback.FeedbackRecorder;
import dev.skiff.runtime.feedback.PredictionRecorder;
import dev.skiff.runtime.feedback.RecentPredictions;
import dev.skiff.runtime.image.ImageDecoder;
import dev.skiff.runtime.image.ImagePipelines;
import dev.skiff.runtime.inference.InferenceService;
import dev.skiff.runtime.inference.VersionLookup;
import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.model.ModelControlMode;
import dev.skiff.runtime.model.ModelRepository;
import dev.skiff.runtime.model.ModelRepositoryControl;
import dev.skiff.runtime.model.ModelVersion;
import dev.skiff.runtime.model.RepositoryPoller;
import dev.skiff.runtime.protocol.V1JsonCodec;
import dev.skiff.runtime.protocol.V2JsonCodec;
import dev.skiff.runtime.web.ApiException;
import dev.skiff.runtime.web.ConnectionDrain;
import dev.skiff.runtime.web.ErrorMapping;
import dev.skiff.runtime.web.HttpLimits;
import dev.skiff.runtime.web.RequestDecompression;
import dev.skiff.runtime.web.RequestIds;
import dev.skiff.runtime.web.Version;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The runtime in {@code serve} mode: opens the model repository, starts the HTTP server at once (so
 * liveness answers while models load), then loads and warms every model on a background thread;
 * readiness turns true when all are warm.
 */
public final class ModelServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ModelServer.class.getName());

  /** How long gRPC calls in flight may take to finish at shutdown before they are cancelled. */
  private static final Duration GRPC_CALLS_GRACE = Duration.ofSeconds(30);

  private final ModelRepository repository;
  private final InferenceExecutor executor;
  private final WebServer server;
  private final GrpcServer grpc;
  private final Thread loader;
  private final CompletableFuture<Void> loaded;
  private final FeedbackLog feedbackLog;
  private final FeedbackPeers peers;
  private final ConnectionDrain drain;
  private final ModelRepositoryControl control;
  private final Optional<RepositoryPoller> poller;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ModelServer(
      ModelRepository repository,
      InferenceExecutor executor,
      WebServer server,
      GrpcServer grpc,
      Thread loader,
      CompletableFuture<Void> loaded,
      FeedbackLog feedbackLog,
      FeedbackPeers peers,
      ConnectionDrain drain,
      ModelRepositoryControl control,
      Optional<RepositoryPoller> poller) {
    this.control = control;
    this.poller = poller;
    this.loaded = loaded;
    this.drain = drain;
    this.peers = peers;
    this.repository = repository;
    this.executor = executor;
    this.server = server;
    this.grpc = grpc;
    this.loader = loader;
    this.feedbackLog = feedbackLog;
  }

  /**
   * Starts serving.
   *
   * @throws ModelLoadException when the repository is missing or empty
   */
  public static ModelServer start(ServeOptions options) {
    // Helidon's first routing builder initialises its service registry, mappers and path matchers
    // (a fifth of start-up); that runs on another core while the repository is read.
    Thread.ofPlatform().name("skiff-helidon-init").daemon(true).start(HttpRouting::builder);
    ModelRepository repository =
        ModelRepository.open(options.repository(), ModelRepository.discoverBackends());
    RuntimeMetrics metrics = new RuntimeMetrics();
    InferenceExecutor executor =
        new InferenceExecutor(options.inferenceThreads(), options.queueSize());
    RecentPredictions recent = new RecentPredictions(options.feedbackWindow());
    Clock clock = Clock.systemUTC();
    InferenceService inference =
        new InferenceService(
            new ImagePipelines(new ImageDecoder(options.maxImagePixels())),
            new PredictionRecorder(recent, clock),
            metrics);
    FeedbackLog feedbackLog = FeedbackLog.open(options.feedbackLog());
    FeedbackRecorder feedback = new FeedbackRecorder(recent, feedbackLog, metrics, clock);
    FeedbackPeers peers = new FeedbackPeers(options.feedbackPeers(), FeedbackPeers.DEFAULT_TIMEOUT);
    // Models load while the web server starts: ONNX Runtime's native set-up and Helidon's start
    // run on separate cores, which is most of start -> ready for a small model.
    BackendOptions backendOptions =
        BackendOptions.builder()
            .intraOpThreads(options.intraOpThreads())
            .gpu(options.gpu())
            .build();
    Runners runners = new Runners(executor, metrics);
    // The gRPC health service follows readiness as loads and unloads change it (set once gRPC is
    // up).
    AtomicReference<Runnable> readinessChanged = new AtomicReference<>(() -> {});
    ModelRepositoryControl control =
        new ModelRepositoryControl(
            repository,
            options.modelControl().mode(),
            options.modelControl().memoryBudgetBytes(),
            backendOptions,
            runners,
            events(metrics, readinessChanged));
    Optional<RepositoryPoller> poller =
        options.modelControl().mode() == ModelControlMode.POLL
            ? Optional.of(new RepositoryPoller(control, options.modelControl().pollInterval()))
            : Optional.empty();
    CompletableFuture<Void> loaded = new CompletableFuture<>();
    Thread loader =
        Thread.ofPlatform()
            .name("skiff-model-loader")
            .daemon(true)
            .start(
                () -> {
                  try {
                    control.loadAtStart(options.modelControl().startupModels());
                  } finally {
                    loaded.complete(null);
                    poller.ifPresent(RepositoryPoller::start);
                  }
                });
    ConnectionDrain drain = new ConnectionDrain();
    WebServer server;
    try {
      server =
          HttpLimits.server(
                  options.host(),
                  options.port(),
                  options.maxPayloadBytes(),
                  options.connectionLimits())
              .contentEncoding(RequestDecompression.context(options.maxPayloadBytes()))
              .directHandlers(ErrorMapping.directHandlers(RequestDecompression.ENCODINGS))
              .routing(
                  r -> routing(r, options, control, inference, metrics, feedback, peers, drain))
              .build()
              .start();
    } catch (RuntimeException e) {
      // e.g. the port is taken: release the models once the loader is done with them
      joinQuietly(loader);
      poller.ifPresent(RepositoryPoller::close);
      executor.close();
      repository.close();
      feedbackLog.close();
      peers.close();
      throw e;
    }
    GrpcServer grpc = null;
    if (options.grpcPort() != ServeOptions.GRPC_OFF) {
      try {
        grpc =
            GrpcServer.start(
                options,
                new VersionLookup(repository),
                inference,
                metrics,
                options.authTokens().isEmpty()
                    ? null
                    : new BearerTokenAuth(
                        options.authTokens(), name -> repository.model(name).isPresent(), metrics),
                Version.current(),
                control);
      } catch (RuntimeException e) {
        server.stop();
        joinQuietly(loader);
        poller.ifPresent(RepositoryPoller::close);
        executor.close();
        repository.close();
        feedbackLog.close();
        peers.close();
        throw e;
      }
      GrpcServer started = grpc;
      // health turns SERVING when loading is over and every model is ready
      readinessChanged.set(
          () -> {
            if (loaded.isDone()) {
              started.ready(repository.isReady());
            }
          });
      var unused = loaded.thenRun(() -> started.ready(repository.isReady()));
    }
    LOG.info(
        "serving "
            + options.repository()
            + " on http://"
            + options.host()
            + ":"
            + server.port()
            + " (Swagger UI at /docs)"
            + (grpc == null ? "" : ", V2 gRPC on " + options.host() + ":" + grpc.port()));
    return new ModelServer(
        repository,
        executor,
        server,
        grpc,
        loader,
        loaded,
        feedbackLog,
        peers,
        drain,
        control,
        poller);
  }

  /**
   * Repository changes as metrics (the loaded gauge per version and the operation counter) and as a
   * readiness change for the gRPC health service.
   */
  private static ModelRepositoryControl.Events events(
      RuntimeMetrics metrics, AtomicReference<Runnable> readinessChanged) {
    return new ModelRepositoryControl.Events() {
      @Override
      public void versionLoaded(ModelVersion version, double seconds) {
        metrics.modelLoaded(version.modelName(), version.name(), version.isReady(), seconds);
        readinessChanged.get().run();
      }

      @Override
      public void versionUnloaded(String model, String version) {
        metrics.modelUnloaded(model, version);
        readinessChanged.get().run();
      }

      @Override
      public void operation(String operation, boolean succeeded) {
        metrics.repositoryOperation(operation, succeeded);
      }
    };
  }

  private static void joinQuietly(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** All HTTP endpoints. */
  static void routing(
      HttpRouting.Builder routing,
      ServeOptions options,
      ModelRepositoryControl control,
      InferenceService inference,
      RuntimeMetrics metrics,
      FeedbackRecorder feedback,
      FeedbackPeers peers,
      ConnectionDrain drain) {
    String version = Version.current();
    ModelRepository repository = control.repository();
    VersionLookup versions = new VersionLookup(repository);
    V2JsonCodec v2Codec = new V2JsonCodec(options.maxPayloadBytes());
    routing.addFilter(drain);
    routing.addFilter(new RequestIds());
    routing.addFilter(new RequestAccounting(metrics));
    if (!options.authTokens().isEmpty()) {
      routing.addFilter(
          new BearerTokenAuth(
              options.authTokens(), name -> repository.model(name).isPresent(), metrics));
    }
    routing
        .register("/v2/repository", new RepositoryService(control))
        .register("/v2", new V2Service(versions, inference, v2Codec, version))
        .register("/v1", new ImageService(versions, inference, v2Codec))
        .register("/v1", new FeedbackService(repository, feedback, peers, metrics))
        .register("/v1", new V1Service(versions, inference, new V1JsonCodec(v2Codec)))
        .register(new HealthService(repository, drain::isDraining))
        .register(new MetricsService(metrics))
        .register(
            "/openapi",
            new OpenApiService(
                repository,
                version,
                !options.authTokens().isEmpty(),
                control.mode() == ModelControlMode.EXPLICIT))
        .register("/docs", DocsService.swaggerUi())
        .register("/redoc", DocsService.redoc())
        .any(
            (req, res) -> {
              throw ApiException.notFound(
                  "no endpoint at " + req.path().path() + "; see /docs for the API");
            });
    ErrorMapping.register(routing);
  }

  public int port() {
    return server.port();
  }

  /** The V2 gRPC port, or {@link ServeOptions#GRPC_OFF} when the server has no gRPC. */
  public int grpcPort() {
    return grpc == null ? ServeOptions.GRPC_OFF : grpc.port();
  }

  public ModelRepository repository() {
    return repository;
  }

  /** The repository extension's operations (index, load, unload), for every protocol. */
  public ModelRepositoryControl repositoryControl() {
    return control;
  }

  /**
   * Completes once every model finished loading, ready or failed; {@link
   * ModelRepository#loadFailures()} then says what did not load.
   */
  public CompletionStage<Void> modelsLoaded() {
    return loaded.copy();
  }

  /** Waits until every model finished loading (ready or failed). */
  public void awaitModelsLoaded(Duration timeout) throws InterruptedException {
    loader.join(timeout);
  }

  @Override
  public void close() {
    close(Duration.ZERO);
  }

  /**
   * Stops after draining for {@code drainFor}: requests are still served, readiness is 503 and
   * every response closes its connection ({@link ConnectionDrain}); then the server stops and lets
   * requests in flight finish.
   */
  public void close(Duration drainFor) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (grpc != null) {
      grpc.draining(); // health NOT_SERVING while calls are still answered, like /health/ready
    }
    drain.drainFor(drainFor);
    if (grpc != null) {
      grpc.stopAccepting();
    }
    poller.ifPresent(RepositoryPoller::close);
    server.stop();
    if (grpc != null) {
      // calls in flight finish before the models they run on are closed
      grpc.awaitStopped(GRPC_CALLS_GRACE);
    }
    executor.close();
    repository.close();
    feedbackLog.close();
    peers.close();
  }
}
