package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.runtime.web.ApiException;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {

  @Test
  void clientMistakesAreNeverInternalAndKeepTheRestMessage() {
    Status bad = GrpcErrors.status(ApiException.badRequest("input 'x' has shape [1]"));
    assertThat(bad.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(bad.getDescription()).isEqualTo("input 'x' has shape [1]");
    assertThat(GrpcErrors.status(ApiException.unsupportedMediaType("m")).getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(GrpcErrors.status(ApiException.notFound("m")).getCode())
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(GrpcErrors.status(ApiException.unauthorized("m")).getCode())
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(GrpcErrors.status(ApiException.payloadTooLarge("m")).getCode())
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void aFullQueueIsResourceExhaustedAndANotReadyVersionUnavailable() {
    assertThat(GrpcErrors.status(ApiException.overloaded("at capacity", 1)).getCode())
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(GrpcErrors.status(ApiException.unavailable("still loading")).getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(GrpcErrors.status(ApiException.internal("model failed")).getCode())
        .isEqualTo(Status.Code.INTERNAL);
  }
}
