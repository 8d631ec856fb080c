package dev.skiff.api.contract;

/**
 * The runtime's V2 gRPC surface that others depend on: the port the operator exposes on every
 * Service and the metadata key that pins a version through the router, the gRPC twin of {@link
 * RuntimeHttp#MODEL_VERSION_HEADER}.
 */
public final class RuntimeGrpc {

  /** The port serve and route mode serve V2 gRPC on unless {@code --grpc-port} says otherwise. */
  public static final int PORT = 8081;

  /** The Service port's name (and the container port's), as Kubernetes and Gateways see it. */
  public static final String PORT_NAME = "grpc";

  /**
   * Request metadata that pins a version; every routed response's headers name the version that
   * answered. gRPC metadata keys are lower case.
   */
  public static final String MODEL_VERSION_METADATA = "x-model-version";

  private RuntimeGrpc() {}
}
