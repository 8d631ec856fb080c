package dev.skiff.runtime.serve;

import dev.skiff.runtime.grpc.v2.GRPCInferenceServiceGrpc;
import dev.skiff.runtime.grpc.v2.ModelInferRequest;
import dev.skiff.runtime.grpc.v2.ModelInferResponse;
import dev.skiff.runtime.grpc.v2.ModelMetadataRequest;
import dev.skiff.runtime.grpc.v2.ModelMetadataResponse;
import dev.skiff.runtime.grpc.v2.ModelReadyRequest;
import dev.skiff.runtime.grpc.v2.ModelReadyResponse;
import dev.skiff.runtime.grpc.v2.ModelRepositoryParameter;
import dev.skiff.runtime.grpc.v2.RepositoryIndexRequest;
import dev.skiff.runtime.grpc.v2.RepositoryIndexResponse;
import dev.skiff.runtime.grpc.v2.RepositoryModelLoadRequest;
import dev.skiff.runtime.grpc.v2.RepositoryModelLoadResponse;
import dev.skiff.runtime.grpc.v2.RepositoryModelUnloadRequest;
import dev.skiff.runtime.grpc.v2.RepositoryModelUnloadResponse;
import dev.skiff.runtime.grpc.v2.ServerLiveRequest;
import dev.skiff.runtime.grpc.v2.ServerLiveResponse;
import dev.skiff.runtime.grpc.v2.ServerMetadataRequest;
import dev.skiff.runtime.grpc.v2.ServerMetadataResponse;
import dev.skiff.runtime.grpc.v2.ServerReadyRequest;
import dev.skiff.runtime.grpc.v2.ServerReadyResponse;
import dev.skiff.runtime.inference.InferenceService;
import dev.skiff.runtime.inference.VersionLookup;
import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.model.ModelRepositoryControl;
import dev.skiff.runtime.model.ModelVersion;
import dev.skiff.runtime.model.RepositoryRefusal;
import dev.skiff.runtime.model.ServedModel;
import dev.skiff.runtime.model.ServingVersion;
import dev.skiff.runtime.protocol.GrpcV2Codec;
import dev.skiff.runtime.protocol.InferenceRequest;
import dev.skiff.runtime.tensor.TensorSpec;
import dev.skiff.runtime.web.ApiException;
import io.grpc.Status;
import io.grpc.StatusException;
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
  private final ModelRepositoryControl control;

  GrpcInferenceService(
      VersionLookup versions,
      InferenceService inference,
      RuntimeMetrics metrics,
      String serverVersion,
      ModelRepositoryControl control) {
    this.control = control;
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
          ModelVersion version;
          try {
            version = resolve(request.getName(), request.getVersion());
          } catch (ApiException e) {
            // A model in the repository folder that is not loaded (explicit mode, or unloaded) is
            // not ready rather than unknown, as Triton answers; tritonclient.grpc raises on an
            // error status where tritonclient.http returns False.
            if (e.status() == 404 && inRepository(request.getName())) {
              return ModelReadyResponse.newBuilder().setReady(false).build();
            }
            throw e;
          }
          return ModelReadyResponse.newBuilder().setReady(version.isReady()).build();
        });
  }

  /**
   * Only the repository extension over gRPC: binary tensor data and classification are REST body
   * formats, and gRPC carries raw tensors natively.
   */
  @Override
  public void serverMetadata(
      ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> answer) {
    reply(
        answer,
        ServerMetadataResponse.newBuilder()
            .setName("skiff")
            .setVersion(serverVersion)
            .addExtensions("model_repository")
            .build());
  }

  @Override
  public void repositoryIndex(
      RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> answer) {
    answer(
        answer,
        () -> {
          checkRepositoryName(request.getRepositoryName());
          RepositoryIndexResponse.Builder index = RepositoryIndexResponse.newBuilder();
          for (ModelRepositoryControl.IndexEntry entry : control.index(request.getReady())) {
            index
                .addModelsBuilder()
                .setName(entry.name())
                .setVersion(entry.version().orElse(""))
                .setState(entry.state())
                .setReason(entry.reason());
          }
          return index.build();
        });
  }

  @Override
  public void repositoryModelLoad(
      RepositoryModelLoadRequest request, StreamObserver<RepositoryModelLoadResponse> answer) {
    repositoryOperation(
        answer,
        () -> {
          checkRepositoryName(request.getRepositoryName());
          ModelRepositoryControl.refuseLoadParameters(
              request.getModelName(), request.getParametersMap().keySet());
          control.load(request.getModelName());
          return RepositoryModelLoadResponse.getDefaultInstance();
        });
  }

  @Override
  public void repositoryModelUnload(
      RepositoryModelUnloadRequest request, StreamObserver<RepositoryModelUnloadResponse> answer) {
    repositoryOperation(
        answer,
        () -> {
          checkRepositoryName(request.getRepositoryName());
          ModelRepositoryParameter dependents = request.getParametersMap().get("unload_dependents");
          if (dependents != null && !dependents.hasBoolParam()) {
            throw ApiException.badRequest(
                "the unload parameter 'unload_dependents' must be true or false, not "
                    + dependents.getParameterChoiceCase());
          }
          ModelRepositoryControl.refuseUnloadParameters(request.getParametersMap().keySet());
          control.unload(request.getModelName());
          return RepositoryModelUnloadResponse.getDefaultInstance();
        });
  }

  private boolean inRepository(String model) {
    return control.index(false).stream().anyMatch(entry -> entry.name().equals(model));
  }

  private static void checkRepositoryName(String name) {
    if (!name.isEmpty()) {
      throw ApiException.badRequest(
          "repository_name '" + name + "': Skiff serves one repository; leave it empty");
    }
  }

  /** Runs a load or unload, answering its refusal with the gRPC status that fits. */
  private static <A> void repositoryOperation(StreamObserver<A> observer, Answer<A> body) {
    answer(
        observer,
        () -> {
          try {
            return body.get();
          } catch (RepositoryRefusal e) {
            Status status =
                switch (e.kind()) {
                  case UNKNOWN_MODEL -> Status.NOT_FOUND;
                  case MODE -> Status.FAILED_PRECONDITION;
                  case UNSUPPORTED, LOAD_FAILED -> Status.INVALID_ARGUMENT;
                  case OVER_BUDGET -> Status.RESOURCE_EXHAUSTED;
                };
            throw status.withDescription(e.getMessage()).asException();
          }
        });
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
      // held from here to the answer, so an unload or reload waits for this call (as over REST)
      ServingVersion ready = VersionLookup.enter(version);
      ModelInferResponse response;
      try {
        InferenceRequest decoded = GrpcV2Codec.readRequest(request);
        String id = decoded.id() != null ? decoded.id() : GrpcCallGuard.CALL_ID.get();
        response = GrpcV2Codec.writeResponse(inference.infer(ready, decoded, id).response());
      } finally {
        ready.exit();
      }
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
    } catch (StatusException e) {
      observer.onError(e);
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
