package dev.skiff.runtime.serve;

import dev.skiff.runtime.grpc.v2.GRPCInferenceServiceGrpc;
import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.web.RequestIds;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import java.util.Optional;
import java.util.Set;

/**
 * What every gRPC call goes through before its handler, like the HTTP filters: a request id (the
 * client's {@code x-request-id} metadata when sane, else a new one) in the call's context and in
 * the response headers, and, when the server has tokens, a bearer token in the {@code
 * authorization} metadata. Liveness, readiness and the standard health service stay open, as {@code
 * /v2/health/*} and {@code /health/*} do over HTTP, so probes need no secret.
 */
final class GrpcCallGuard implements ServerInterceptor {
  static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** The call's request id, for handlers. */
  static final Context.Key<String> CALL_ID = Context.key("skiff-request-id");

  private static final Set<String> OPEN_METHODS =
      Set.of(
          GRPCInferenceServiceGrpc.getServerLiveMethod().getFullMethodName(),
          GRPCInferenceServiceGrpc.getServerReadyMethod().getFullMethodName());

  private final BearerTokenAuth auth;
  private final RuntimeMetrics metrics;

  /**
   * @param auth the server's tokens, or null when auth is off
   */
  GrpcCallGuard(BearerTokenAuth auth, RuntimeMetrics metrics) {
    this.auth = auth;
    this.metrics = metrics;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    String id = RequestIds.idFrom(Optional.ofNullable(headers.get(REQUEST_ID)));
    ServerCall<Q, A> withId =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void sendHeaders(Metadata responseHeaders) {
            responseHeaders.put(REQUEST_ID, id);
            super.sendHeaders(responseHeaders);
          }
        };
    String method = call.getMethodDescriptor().getFullMethodName();
    if (auth != null && !isOpen(method)) {
      Optional<String> refusal = auth.refusal(headers.get(AUTHORIZATION));
      if (refusal.isPresent()) {
        metrics.rejected("", "", "unauthorized");
        Metadata trailers = new Metadata();
        trailers.put(REQUEST_ID, id);
        // the REST message names the HTTP header; over gRPC it is the metadata key
        call.close(
            Status.UNAUTHENTICATED.withDescription(
                refusal
                    .get()
                    .replace(
                        "'Authorization: Bearer <token>'",
                        "'authorization: Bearer" + " <token>' metadata")),
            trailers);
        return new ServerCall.Listener<>() {};
      }
    }
    Context context = Context.current().withValue(CALL_ID, id);
    return Contexts.interceptCall(context, withId, headers, next);
  }

  static boolean isOpen(String fullMethodName) {
    return OPEN_METHODS.contains(fullMethodName)
        || fullMethodName.startsWith(HealthGrpc.SERVICE_NAME + "/");
  }
}
