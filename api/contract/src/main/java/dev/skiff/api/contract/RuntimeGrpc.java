package dev.skiff.api.contract;

/**
 * The runtime's V2 gRPC surface that others depend on besides its port ({@link
 * RuntimeHttp#GRPC_PORT}): the Service port's name and the metadata key that pins a version through
 * the router, the gRPC twin of {@link RuntimeHttp#MODEL_VERSION_HEADER}.
 */
public final class RuntimeGrpc {

  /** The Service port's name (and the container port's), as Kubernetes and Gateways see it. */
  public static final String PORT_NAME = "grpc";

  /**
   * Request metadata that pins a version; every routed response's headers name the version that
   * answered. gRPC metadata keys are lower case.
   */
  public static final String MODEL_VERSION_METADATA = "x-model-version";

  private RuntimeGrpc() {}
}
