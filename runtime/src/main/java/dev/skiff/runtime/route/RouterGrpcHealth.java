package dev.skiff.runtime.route;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.util.function.BooleanSupplier;

/**
 * The standard gRPC health service ({@code grpc.health.v1.Health/Check}) for the router itself,
 * with the meaning of its HTTP {@code /health/ready}: SERVING while some version is ready and the
 * router is not draining. It reads the routing table on every check, so it can never lag behind the
 * table. The service name is ignored (every name is the router); Watch is not offered.
 */
final class RouterGrpcHealth extends HealthGrpc.HealthImplBase {
  private final Router router;
  private final BooleanSupplier draining;

  RouterGrpcHealth(Router router, BooleanSupplier draining) {
    this.router = router;
    this.draining = draining;
  }

  @Override
  public void check(
      HealthCheckRequest request, StreamObserver<HealthCheckResponse> responseObserver) {
    RoutingTable table = router.table();
    boolean serving = table != null && table.anyReady() && !draining.getAsBoolean();
    responseObserver.onNext(
        HealthCheckResponse.newBuilder()
            .setStatus(
                serving
                    ? HealthCheckResponse.ServingStatus.SERVING
                    : HealthCheckResponse.ServingStatus.NOT_SERVING)
            .build());
    responseObserver.onCompleted();
  }
}
