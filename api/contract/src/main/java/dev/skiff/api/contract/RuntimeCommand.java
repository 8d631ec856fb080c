package dev.skiff.api.contract;

import java.util.ArrayList;
import java.util.List;

/**
 * The runtime's command lines, {@code skiff-runtime serve|fetch|route ...}: the mode and option
 * names the runtime declares, and builders for the arguments the operator puts into its pods, so
 * both sides spell them once.
 */
public final class RuntimeCommand {

  public static final String SERVE = "serve";
  public static final String FETCH = "fetch";
  public static final String ROUTE = "route";

  /** serve, route: the port to listen on. */
  public static final String PORT = "--port";

  /**
   * serve, route: the port of the V2 gRPC service ({@link RuntimeHttp#GRPC_PORT} unless told), or
   * {@code off}.
   */
  public static final String GRPC_PORT = "--grpc-port";

  /** serve: platform threads that run models (default: one per core). */
  public static final String INFERENCE_THREADS = "--inference-threads";

  /** serve: threads one model call may use inside the backend (default 1). */
  public static final String INTRA_OP_THREADS = "--intra-op-threads";

  /** serve: requests that may wait for an inference thread before 503 (default: 64 per core). */
  public static final String QUEUE_SIZE = "--queue-size";

  /** serve, route: the largest request body; larger gets 413. */
  public static final String MAX_PAYLOAD_BYTES = "--max-payload-bytes";

  /** serve: the largest uploaded image, width x height from its header; larger gets 413. */
  public static final String MAX_IMAGE_PIXELS = "--max-image-pixels";

  /** serve: file with one bearer token per line. */
  public static final String AUTH_TOKENS_FILE = "--auth-tokens-file";

  /**
   * serve, route: seconds to keep answering after SIGTERM, with readiness failing and every
   * response closing its connection, so clients move to other pods before the server stops.
   */
  public static final String SHUTDOWN_DELAY_S = "--shutdown-delay-s";

  /**
   * serve: end the process (exit 1) once loading is over when any model or version failed to load,
   * instead of serving the others; in a pod, which serves one version, that is the only way to say
   * why the pod will never be ready.
   */
  public static final String EXIT_ON_LOAD_FAILURE = "--exit-on-load-failure";

  /**
   * serve, fetch: the file the one-line result goes to ({@link TerminationMessage}); fetch defaults
   * to Kubernetes' {@code terminationMessagePath}, serve writes none unless told.
   */
  public static final String TERMINATION_LOG = "--termination-log";

  /** serve: the JSON-lines file each feedback is appended to. */
  public static final String FEEDBACK_LOG = "--feedback-log";

  /** serve: how many of the most recent predictions are remembered for feedback. */
  public static final String FEEDBACK_WINDOW = "--feedback-window";

  /**
   * serve: {@code host:port} (comma-separated) of the other servers of the same model, asked for
   * feedback on a prediction this one does not remember; a host may name several addresses.
   */
  public static final String FEEDBACK_PEERS = "--feedback-peers";

  /** fetch: whether a .zip/.tar.gz download is unpacked ({@code --unpack=false} keeps it). */
  public static final String UNPACK = "--unpack";

  /** fetch: the sha256 the downloaded file must have. */
  public static final String SHA256 = "--sha256";

  /** fetch: where the claim of {@code pvc://} URIs is mounted. */
  public static final String PVC_ROOT = "--pvc-root";

  /** route: the router config file ({@link RouterConfigFile}). */
  public static final String CONFIG = "--config";

  /**
   * fetch: the default of {@link #PVC_ROOT}, where the operator mounts a {@link PvcUri}'s claim.
   */
  public static final String DEFAULT_PVC_ROOT = "/mnt/pvc";

  private RuntimeCommand() {}

  /** {@code serve <repository>}. */
  public static Serve serve(String repository) {
    return new Serve(repository);
  }

  /** {@code fetch <uri> <destination>}. */
  public static Fetch fetch(String uri, String destination) {
    return new Fetch(uri, destination);
  }

  /** {@code route --config <file>}. */
  public static Route route(String configFile) {
    return new Route(configFile);
  }

  /** Arguments of {@code serve}. */
  public static final class Serve {
    private final List<String> args = new ArrayList<>();

    private Serve(String repository) {
      args.add(SERVE);
      args.add(repository);
    }

    public Serve port(int port) {
      args.add(PORT);
      args.add(Integer.toString(port));
      return this;
    }

    public Serve shutdownDelaySeconds(long seconds) {
      args.add(SHUTDOWN_DELAY_S);
      args.add(Long.toString(seconds));
      return this;
    }

    /** Exit when a model fails to load, leaving the reason in {@code terminationLog}. */
    public Serve exitOnLoadFailure(String terminationLog) {
      args.add(EXIT_ON_LOAD_FAILURE);
      args.add(TERMINATION_LOG);
      args.add(terminationLog);
      return this;
    }

    public Serve authTokensFile(String file) {
      args.add(AUTH_TOKENS_FILE);
      args.add(file);
      return this;
    }

    public Serve feedbackLog(String file) {
      args.add(FEEDBACK_LOG);
      args.add(file);
      return this;
    }

    public Serve feedbackWindow(int predictions) {
      args.add(FEEDBACK_WINDOW);
      args.add(Integer.toString(predictions));
      return this;
    }

    public Serve feedbackPeers(String hostPort) {
      args.add(FEEDBACK_PEERS);
      args.add(hostPort);
      return this;
    }

    public Serve inferenceThreads(int threads) {
      return option(INFERENCE_THREADS, threads);
    }

    public Serve intraOpThreads(int threads) {
      return option(INTRA_OP_THREADS, threads);
    }

    public Serve queueSize(int requests) {
      return option(QUEUE_SIZE, requests);
    }

    public Serve maxPayloadBytes(long bytes) {
      return option(MAX_PAYLOAD_BYTES, bytes);
    }

    public Serve maxImagePixels(long pixels) {
      return option(MAX_IMAGE_PIXELS, pixels);
    }

    private Serve option(String name, long value) {
      args.add(name);
      args.add(Long.toString(value));
      return this;
    }

    /** The arguments after the program name, mode first. */
    public List<String> args() {
      return List.copyOf(args);
    }
  }

  /** Arguments of {@code fetch}. */
  public static final class Fetch {
    private final List<String> args = new ArrayList<>();

    private Fetch(String uri, String destination) {
      args.add(FETCH);
      args.add(uri);
      args.add(destination);
    }

    public Fetch sha256(String hex) {
      args.add(SHA256);
      args.add(hex);
      return this;
    }

    /** Keep an archive as the file it is (a Deeplearning4j ModelSerializer zip). */
    public Fetch keepArchive() {
      args.add(UNPACK + "=false");
      return this;
    }

    public Fetch pvcRoot(String directory) {
      args.add(PVC_ROOT);
      args.add(directory);
      return this;
    }

    /** The arguments after the program name, mode first. */
    public List<String> args() {
      return List.copyOf(args);
    }
  }

  /** Arguments of {@code route}. */
  public static final class Route {
    private final List<String> args = new ArrayList<>();

    private Route(String configFile) {
      args.add(ROUTE);
      args.add(CONFIG);
      args.add(configFile);
    }

    public Route port(int port) {
      args.add(PORT);
      args.add(Integer.toString(port));
      return this;
    }

    public Route shutdownDelaySeconds(long seconds) {
      args.add(SHUTDOWN_DELAY_S);
      args.add(Long.toString(seconds));
      return this;
    }

    /** The arguments after the program name, mode first. */
    public List<String> args() {
      return List.copyOf(args);
    }
  }
}
