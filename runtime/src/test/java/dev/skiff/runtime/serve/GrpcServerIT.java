package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.skiff.runtime.grpc.v2.GRPCInferenceServiceGrpc;
import dev.skiff.runtime.grpc.v2.ModelInferRequest;
import dev.skiff.runtime.grpc.v2.ModelInferResponse;
import dev.skiff.runtime.grpc.v2.ModelReadyRequest;
import dev.skiff.runtime.grpc.v2.ServerReadyRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC server with grpc-java's own client, on a repository where one model loads (iris) and one
 * fails (mismatch): a version that is not ready is UNAVAILABLE naming why, health stays NOT_SERVING
 * while any model is not ready, and every call is counted by gRPC status in
 * skiff_grpc_requests_total beside REST's metrics.
 */
class GrpcServerIT {
  @TempDir Path repository;

  private static ModelInferRequest iris(float... values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      raw.putFloat(v);
    }
    return ModelInferRequest.newBuilder()
        .setModelName("iris")
        .addInputs(
            ModelInferRequest.InferInputTensor.newBuilder()
                .setName("input")
                .setDatatype("FP32")
                .addShape(values.length / 4)
                .addShape(4))
        .addRawInputContents(ByteString.copyFrom(raw.array()))
        .build();
  }

  @Test
  void notReadyIsUnavailableHealthFollowsReadinessAndCallsAreCounted() throws Exception {
    Files.createSymbolicLink(
        repository.resolve("iris"), Path.of("../examples/models/iris").toAbsolutePath());
    Files.createSymbolicLink(
        repository.resolve("mismatch"),
        Path.of("src/test/resources/models/mismatch").toAbsolutePath());
    try (ModelServer server =
        ModelServer.start(ServeOptions.builder(repository).port(0).grpcPort(0).build())) {
      server.awaitModelsLoaded(Duration.ofSeconds(60));
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
      try {
        var v2 = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        var health = HealthGrpc.newBlockingStub(channel);

        ModelInferResponse answer = v2.modelInfer(iris(5.1f, 3.5f, 1.4f, 0.2f));
        ByteBuffer label =
            answer.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(label.getLong(0)).isZero();

        assertThat(
                v2.modelReady(ModelReadyRequest.newBuilder().setName("mismatch").build())
                    .getReady())
            .isFalse();
        assertThatThrownBy(
                () ->
                    v2.modelInfer(
                        iris(5.1f, 3.5f, 1.4f, 0.2f).toBuilder().setModelName("mismatch").build()))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> {
                  assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                  assertThat(e.getStatus().getDescription())
                      .contains("model 'mismatch' version 'v1' is not ready");
                });
        assertThatThrownBy(() -> v2.modelInfer(iris(1f, 2f, 3f)))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));

        assertThat(v2.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isFalse();
        for (String service : new String[] {"", "inference.GRPCInferenceService"}) {
          assertThat(
                  health
                      .check(HealthCheckRequest.newBuilder().setService(service).build())
                      .getStatus())
              .isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
        }

        String metrics = new TestHttp(server.port()).get("/metrics").body();
        assertThat(metrics)
            .contains("skiff_grpc_requests_total{code=\"OK\",model=\"iris\",version=\"v1\"} 1.0")
            .contains(
                "skiff_grpc_requests_total{code=\"INVALID_ARGUMENT\",model=\"iris\",version=\"v1\"}"
                    + " 1.0")
            .contains(
                "skiff_grpc_requests_total{code=\"UNAVAILABLE\",model=\"mismatch\",version=\"v1\"}"
                    + " 1.0")
            .contains(
                "skiff_rejected_requests_total{model=\"mismatch\",reason=\"unavailable\","
                    + "version=\"v1\"} 1.0")
            .contains("skiff_grpc_request_duration_seconds_count{model=\"iris\",version=\"v1\"} 2");
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
