package dev.skiff.runtime.serve;

import dev.skiff.runtime.web.ApiException;
import io.grpc.Status;

/**
 * The gRPC status for each {@link ApiException}, so a gRPC client is told what REST tells an HTTP
 * client, in the same words: a client's mistake is never {@code INTERNAL}.
 */
final class GrpcErrors {
  private GrpcErrors() {}

  static Status status(ApiException e) {
    Status.Code code =
        switch (e.status()) {
          case 400, 415 -> Status.Code.INVALID_ARGUMENT;
          case 401 -> Status.Code.UNAUTHENTICATED;
          case 404 -> Status.Code.NOT_FOUND;
          case 405 -> Status.Code.UNIMPLEMENTED;
          // what grpc-java itself answers for a message over the size limit
          case 413 -> Status.Code.RESOURCE_EXHAUSTED;
          case 503 ->
              e.reason().equals(ApiException.OVERLOADED)
                  ? Status.Code.RESOURCE_EXHAUSTED
                  : Status.Code.UNAVAILABLE;
          default -> e.status() < 500 ? Status.Code.INVALID_ARGUMENT : Status.Code.INTERNAL;
        };
    return Status.fromCode(code).withDescription(e.getMessage());
  }
}
