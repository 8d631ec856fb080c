package dev.skiff.runtime.serve;

import dev.skiff.runtime.grpc.v2.GRPCInferenceServiceGrpc;
import dev.skiff.runtime.grpc.v2.ModelInferRequest;
import dev.skiff.runtime.grpc.v2.ModelInferResponse;
import dev.skiff.runtime.grpc.v2.ModelMetadataRequest;
import dev.skiff.runtime.grpc.v2.ModelMetadataResponse;
import dev.skiff.runtime.grpc.v2.ModelReadyRequest;
import dev.skiff.runtime.grpc.v2.ModelReadyResponse;
import dev.skiff.runtime.grpc.v2.ServerLiveRequest;
import dev.skiff.runtime.grpc.v2.ServerLiveResponse;
import dev.skiff.runtime.grpc.v2.ServerMetadataRequest;
import dev.skiff.runtime.grpc.v2.ServerMetadataResponse;
import dev.skiff.runtime.grpc.v2.ServerReadyRequest;
import dev.skiff.runtime.grpc.v2.ServerReadyResponse;
import dev.skiff.runtime.inference.InferenceService;
import dev.skiff.runtime.inference.VersionLookup;
import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.model.ModelVersion;
import dev.skiff.runtime.model.ServedModel;
import dev.skiff.runtime.model.ServingVersion;
import dev.skiff.runtime.protocol.GrpcV2Codec;
import dev.skiff.runtime.protocol.InferenceRequest;
import dev.skiff.runtime.tensor.TensorSpec;
import dev.skiff.runtime.web.ApiException;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Open Inference Protocol V2 over gRPC ({@code inference.GRPCInferenceService}): the same
 * answers as {@link V2Service} over REST, from the same version lookup and inference path; only the
 * wire form differs ({@link GrpcV2Codec}). Errors become gRPC statuses ({@link GrpcErrors}).
 */
final class GrpcInferenceService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  private static final Logger LOG = Logger.getLogger(GrpcInferenceService.class.getName());

  private final VersionLookup versions;
  private final InferenceService inference;
  private final RuntimeMetrics metrics;
  private final String serverVersion;

  GrpcInferenceService(
      VersionLookup versions,
      InferenceService inference,
      RuntimeMetrics metrics,
      String serverVersion) {
    this.versions = versions;
    this.inference = inference;
    this.metrics = metrics;
    this.serverVersion = serverVersion;
  }

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> answer) {
    reply(answer, ServerLiveResponse.newBuilder().setLive(true).build());
  }

  @Override
  public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> answer) {
    reply(
        answer, ServerReadyResponse.newBuilder().setReady(versions.repository().isReady()).build());
  }

  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> answer) {
    answer(
        answer,
        () -> {
          ModelVersion version = resolve(request.getName(), request.getVersion());
          return ModelReadyResponse.newBuilder().setReady(version.isReady()).build();
        });
  }

  /**
   * No extension over gRPC: binary tensor data and classification are REST body formats, and gRPC
   * carries raw tensors natively.
   */
  @Override
  public void serverMetadata(
      ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> answer) {
    reply(
        answer,
        ServerMetadataResponse.newBuilder().setName("skiff").setVersion(serverVersion).build());
  }

  @Override
  public void modelMetadata(
      ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> answer) {
    answer(
        answer,
        () -> {
          ModelVersion version = resolve(request.getName(), request.getVersion());
          ServingVersion contract = VersionLookup.ready(version);
          ServedModel model = versions.model(version.modelName());
          ModelMetadataResponse.Builder body =
              ModelMetadataResponse.newBuilder()
                  .setName(model.name())
                  .addAllVersions(model.versionNames())
                  .setPlatform(contract.session().platform());
          addTensors(contract.inputs(), body::addInputsBuilder);
          addTensors(contract.outputs(), body::addOutputsBuilder);
          return body.build();
        });
  }

  private static void addTensors(
      List<TensorSpec> specs, Supplier<ModelMetadataResponse.TensorMetadata.Builder> add) {
    for (TensorSpec spec : specs) {
      ModelMetadataResponse.TensorMetadata.Builder tensor =
          add.get().setName(spec.name()).setDatatype(spec.datatype().name());
      for (long dim : spec.shape()) {
        tensor.addShape(dim);
      }
    }
  }

  @Override
  public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> answer) {
    long start = System.nanoTime();
    ModelVersion version;
    try {
      version = resolve(request.getModelName(), request.getModelVersion());
    } catch (ApiException e) {
      answer.onError(GrpcErrors.status(e).asRuntimeException());
      return; // unknown models are not counted, as over REST: no series per made-up name
    }
    Status.Code code = Status.Code.OK;
    try {
      ServingVersion ready = VersionLookup.ready(version);
      InferenceRequest decoded = GrpcV2Codec.readRequest(request);
      String id = decoded.id() != null ? decoded.id() : GrpcCallGuard.CALL_ID.get();
      ModelInferResponse response =
          GrpcV2Codec.writeResponse(inference.infer(ready, decoded, id).response());
      answer.onNext(response);
      answer.onCompleted();
    } catch (ApiException e) {
      Status status = GrpcErrors.status(e);
      code = status.getCode();
      if (RequestAccounting.isRefusal(e)) {
        metrics.rejected(version.modelName(), version.name(), e.reason());
      }
      answer.onError(status.asRuntimeException());
    } catch (Exception e) {
      code = Status.Code.INTERNAL;
      internalError(answer, e);
    } finally {
      metrics.grpcRequestFinished(
          version.modelName(), version.name(), code.name(), (System.nanoTime() - start) / 1e9);
    }
  }

  private ModelVersion resolve(String model, String version) {
    if (model.isEmpty()) {
      throw ApiException.badRequest("the request names no model ('name' / 'model_name' is empty)");
    }
    return versions.resolve(model, version.isEmpty() ? null : version);
  }

  /** Something that answers or throws an {@link ApiException}. */
  private interface Answer<A> {
    A get() throws Exception;
  }

  private static <A> void answer(StreamObserver<A> observer, Answer<A> body) {
    A answer;
    try {
      answer = body.get();
    } catch (ApiException e) {
      observer.onError(GrpcErrors.status(e).asRuntimeException());
      return;
    } catch (Exception e) {
      internalError(observer, e);
      return;
    }
    reply(observer, answer);
  }

  private static <A> void reply(StreamObserver<A> observer, A answer) {
    observer.onNext(answer);
    observer.onCompleted();
  }

  private static void internalError(StreamObserver<?> observer, Exception e) {
    LOG.log(Level.SEVERE, "unhandled error in a gRPC call", e);
    observer.onError(
        Status.INTERNAL
            .withDescription("internal server error; see the server log")
            .asRuntimeException());
  }
}
