package dev.skiff.runtime.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

import dev.skiff.runtime.grpc.v2.GRPCInferenceServiceGrpc;
import dev.skiff.runtime.grpc.v2.ModelInferRequest;
import dev.skiff.runtime.grpc.v2.ModelInferResponse;
import dev.skiff.runtime.serve.ModelServer;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router's gRPC proxy on a real port in front of two real runtime servers that serve V2 gRPC
 * (iris as {@code v1} and {@code v2}, each naming its own version in every answer), called with the
 * runtime's own generated V2 stubs over a real HTTP/2 connection.
 */
class RouterGrpcIT {
  private static final Metadata.Key<String> MODEL_VERSION =
      Metadata.Key.of("x-model-version", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir static Path repos;
  static ModelServer v1;
  static ModelServer v2;

  @TempDir Path configDir;

  @BeforeAll
  static void startBackends() throws Exception {
    v1 = startBackend("v1");
    v2 = startBackend("v2");
  }

  @AfterAll
  static void stopBackends() {
    v1.close();
    v2.close();
  }

  static ModelServer startBackend(String version) throws IOException, InterruptedException {
    return RouterIT.startBackend(repos, version, options -> options.grpcPort(0));
  }

  private static String config(int w1, int w2, String extra) {
    return "model: iris\nversions:\n" + version("v1", v1, w1) + version("v2", v2, w2) + extra;
  }

  private static String version(String name, ModelServer server, int weight) {
    return "  - {name: %s, url: \"http://127.0.0.1:%d\", weight: %d, grpcPort: %d}\n"
        .formatted(name, server.port(), weight, server.grpcPort());
  }

  private RouterServer startRouter(String yaml) throws IOException {
    Path file = configDir.resolve("router.yaml");
    Files.writeString(file, yaml);
    RouterServer router =
        RouterServer.start(
            RouterOptions.builder(file)
                .port(0)
                .grpcPort(0)
                .healthInterval(Duration.ofMillis(200))
                .mirrorMaxInFlight(1_000)
                .build());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> RouterIT.get(router, "/health/ready").statusCode() == 200);
    return router;
  }

  private static ManagedChannel channel(RouterServer router) {
    return NettyChannelBuilder.forAddress("127.0.0.1", router.grpcPort().orElseThrow())
        .usePlaintext()
        .build();
  }

  private static ModelInferRequest iris() {
    ModelInferRequest.InferInputTensor.Builder input =
        ModelInferRequest.InferInputTensor.newBuilder()
            .setName("input")
            .setDatatype("FP32")
            .addShape(1)
            .addShape(4);
    input.getContentsBuilder().addAllFp32Contents(List.of(5.1f, 3.5f, 1.4f, 0.2f));
    return ModelInferRequest.newBuilder().setModelName("iris").addInputs(input).build();
  }

  /** A blocking stub that records the response headers of its last call. */
  private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub(
      ManagedChannel channel, AtomicReference<Metadata> headers, Metadata extra) {
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    return GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withInterceptors(
            MetadataUtils.newAttachHeadersInterceptor(extra),
            MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static Metadata pin(String version) {
    Metadata metadata = new Metadata();
    metadata.put(MODEL_VERSION, version);
    return metadata;
  }

  @Test
  void concurrentCallsSplitByWeightAndNameTheVersionThatAnswered() throws Exception {
    try (RouterServer router = startRouter(config(90, 10, ""))) {
      ManagedChannel channel = channel(router);
      Map<String, AtomicInteger> byVersion = new ConcurrentHashMap<>();
      List<String> mismatches = new ArrayList<>();
      ExecutorService clients = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
          done.add(
              clients.submit(
                  () -> {
                    AtomicReference<Metadata> headers = new AtomicReference<>();
                    for (int i = 0; i < 250; i++) {
                      ModelInferResponse answer =
                          stub(channel, headers, new Metadata()).modelInfer(iris());
                      byVersion
                          .computeIfAbsent(answer.getModelVersion(), v -> new AtomicInteger())
                          .incrementAndGet();
                      if (!answer.getModelVersion().equals(headers.get().get(MODEL_VERSION))) {
                        synchronized (mismatches) {
                          mismatches.add(
                              answer.getModelVersion() + " vs " + headers.get().get(MODEL_VERSION));
                        }
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get(2, TimeUnit.MINUTES);
        }
      } finally {
        clients.shutdownNow();
        channel.shutdownNow();
      }
      assertThat(mismatches).as("x-model-version header vs model_version").isEmpty();
      assertThat(byVersion.get("v1").get() / 20.0).isCloseTo(90, offset(1.0));
      assertThat(byVersion.get("v2").get() / 20.0).isCloseTo(10, offset(1.0));
      assertThat(RouterIT.get(router, "/metrics").body())
          .contains("skiff_router_grpc_calls_total{code=\"OK\",model=\"iris\",version=\"v1\"}");
    }
  }

  @Test
  void metadataPinsAVersionAndAnUnknownOneIsNamed() throws Exception {
    try (RouterServer router = startRouter(config(100, 0, ""))) {
      ManagedChannel channel = channel(router);
      try {
        AtomicReference<Metadata> headers = new AtomicReference<>();
        for (int i = 0; i < 20; i++) {
          assertThat(stub(channel, headers, pin("v2")).modelInfer(iris()).getModelVersion())
              .isEqualTo("v2");
        }
        assertThatThrownBy(() -> stub(channel, headers, pin("v9")).modelInfer(iris()))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> {
                  assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                  assertThat(e.getStatus().getDescription())
                      .isEqualTo(
                          "unknown model version 'v9' in x-model-version; known versions: [v1,"
                              + " v2]");
                });
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void aBackendsErrorPassesThroughWithItsStatusAndTheVersionInTheTrailers() throws Exception {
    try (RouterServer router = startRouter(config(100, 0, ""))) {
      ManagedChannel channel = channel(router);
      try {
        ModelInferRequest wrongShape =
            iris().toBuilder()
                .setInputs(0, iris().getInputs(0).toBuilder().clearShape().addShape(1).addShape(3))
                .build();
        AtomicReference<Metadata> headers = new AtomicReference<>();
        assertThatThrownBy(() -> stub(channel, headers, new Metadata()).modelInfer(wrongShape))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> {
                  assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                  assertThat(e.getStatus().getDescription()).contains("input");
                  assertThat(e.getTrailers().get(MODEL_VERSION)).isEqualTo("v1");
                });
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void unaryCallsAreMirroredAndTheAnswersStayTheServingVersions() throws Exception {
    try (RouterServer router =
        startRouter(config(100, 0, "mirror: {version: v2, percent: 100}\n"))) {
      ManagedChannel channel = channel(router);
      try {
        AtomicReference<Metadata> headers = new AtomicReference<>();
        for (int i = 0; i < 40; i++) {
          assertThat(stub(channel, headers, new Metadata()).modelInfer(iris()).getModelVersion())
              .isEqualTo("v1");
        }
      } finally {
        channel.shutdownNow();
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(RouterIT.get(router, "/metrics").body())
                      .contains(
                          "skiff_router_mirrored_requests_total{model=\"iris\",result=\"sent\","
                              + "version=\"v2\"} 40.0"));
    }
  }

  @Test
  void aVersionWithoutGrpcIsRefusedAndTheHealthServiceIsTheRoutersOwn() throws Exception {
    String httpOnly =
        "model: iris\nversions:\n"
            + "  - {name: v1, url: \"http://127.0.0.1:%d\", weight: 100}\n".formatted(v1.port());
    try (RouterServer router = startRouter(httpOnly)) {
      ManagedChannel channel = channel(router);
      try {
        AtomicReference<Metadata> headers = new AtomicReference<>();
        assertThatThrownBy(() -> stub(channel, headers, new Metadata()).modelInfer(iris()))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> {
                  assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
                  assertThat(e.getStatus().getDescription()).contains("'v1' serves no gRPC");
                });
        assertThat(
                HealthGrpc.newBlockingStub(channel)
                    .check(HealthCheckRequest.getDefaultInstance())
                    .getStatus())
            .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
