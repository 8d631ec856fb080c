package dev.skiff.api.contract;

/**
 * The runtime's HTTP surface that others depend on: the operator's probes, Services and Prometheus
 * annotations, the router's health checks of its backends, and version pinning through the router
 * or a Gateway's HTTPRoute.
 */
public final class RuntimeHttp {

  /** The port serve and route mode listen on unless {@code --port} says otherwise. */
  public static final int PORT = 8080;

  /**
   * The port serve mode answers V2 gRPC on unless {@code --grpc-port} says otherwise (MLServer's
   * default too).
   */
  public static final int GRPC_PORT = 8081;

  /** 200 while the process serves HTTP (liveness). */
  public static final String HEALTH_LIVE = "/health/live";

  /** 200 once every model is loaded and warmed up, or the router has a ready version. */
  public static final String HEALTH_READY = "/health/ready";

  /** Prometheus text. */
  public static final String METRICS = "/metrics";

  /** Request header that pins a version; every routed response names the version that answered. */
  public static final String MODEL_VERSION_HEADER = "X-Model-Version";

  private RuntimeHttp() {}
}
