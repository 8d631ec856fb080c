package dev.skiff.runtime.route;

import dev.skiff.api.contract.RuntimeGrpc;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.HandlerRegistry;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.StatusException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The router's gRPC side: every call, whatever its service and method, goes to a version chosen
 * exactly as for HTTP (the one named in {@value RuntimeGrpc#MODEL_VERSION_METADATA} metadata, else
 * the next by weight among the ready ones, from the same {@link RoutingTable}), and its messages
 * pass through as bytes, never parsed. The response headers (or the trailers of a call that failed
 * before any header) name the version that answered. A unary call is mirrored like an HTTP request;
 * a call with more than one request message is not.
 *
 * <p>No call is retried: unlike HTTP, where a request that found no connection cannot have run, a
 * gRPC call that fails with UNAVAILABLE may have reached the backend, and an inference must not run
 * twice. The health checks keep a dead version out of the table within one interval.
 */
final class GrpcProxy implements ServerCallHandler<byte[], byte[]> {
  private static final Logger LOG = Logger.getLogger(GrpcProxy.class.getName());
  static final Metadata.Key<String> MODEL_VERSION =
      Metadata.Key.of(RuntimeGrpc.MODEL_VERSION_METADATA, Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try (stream) {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private final Router router;
  private final GrpcBackends backends;
  private final Mirror mirror;
  private final RouterMetrics metrics;
  private final Duration responseTimeout;

  GrpcProxy(
      Router router,
      GrpcBackends backends,
      Mirror mirror,
      RouterMetrics metrics,
      Duration responseTimeout) {
    this.router = router;
    this.backends = backends;
    this.mirror = mirror;
    this.metrics = metrics;
    this.responseTimeout = responseTimeout;
  }

  /**
   * Answers every method the router's own services do not: each lookup makes a new descriptor (not
   * cached, so clients naming made-up methods cannot grow a map).
   */
  HandlerRegistry registry() {
    return new HandlerRegistry() {
      @Override
      public ServerMethodDefinition<?, ?> lookupMethod(String fullMethodName, String authority) {
        return ServerMethodDefinition.create(descriptor(fullMethodName), GrpcProxy.this);
      }
    };
  }

  private static MethodDescriptor<byte[], byte[]> descriptor(String fullMethodName) {
    return MethodDescriptor.newBuilder(BYTES, BYTES)
        .setFullMethodName(fullMethodName)
        .setType(MethodDescriptor.MethodType.UNKNOWN)
        .build();
  }

  @Override
  public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> call, Metadata headers) {
    long start = System.nanoTime();
    RoutingTable table = router.table();
    RouterConfig.Version version;
    try {
      version = choose(table, headers.get(MODEL_VERSION));
    } catch (StatusException e) {
      metrics.grpcCallFinished(
          RouterMetrics.NO_VERSION, e.getStatus().getCode().name(), seconds(start));
      call.close(e.getStatus(), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    String method = call.getMethodDescriptor().getFullMethodName();
    ClientCall<byte[], byte[]> backend =
        backends
            .channel(version)
            .newCall(
                descriptor(method),
                CallOptions.DEFAULT.withDeadlineAfter(
                    responseTimeout.toMillis(), TimeUnit.MILLISECONDS));
    Optional<Mirror.Copy> copy = mirror.select(table, version.name());
    // Taken before the backend call starts, which rewrites its headers' encoding keys.
    Metadata copyHeaders = new Metadata();
    copy.ifPresent(c -> copyHeaders.merge(headers));
    Forwarding forwarding =
        new Forwarding(call, backend, version.name(), start, copy, method, copyHeaders);
    backend.start(forwarding.fromBackend(), headers);
    backend.request(1);
    call.request(1);
    return forwarding.fromClient();
  }

  /** The pinned version, or the next by weight; a status that names the problem otherwise. */
  private static RouterConfig.Version choose(RoutingTable table, String pinned)
      throws StatusException {
    if (table == null) {
      throw Status.UNAVAILABLE.withDescription("the router has no config yet").asException();
    }
    String name;
    if (pinned != null) {
      name = pinned.strip();
      if (table.config().version(name).isEmpty()) {
        throw Status.INVALID_ARGUMENT
            .withDescription(
                "unknown model version '"
                    + name
                    + "' in "
                    + RuntimeGrpc.MODEL_VERSION_METADATA
                    + "; known versions: "
                    + table.config().versions().stream().map(RouterConfig.Version::name).toList())
            .asException();
      }
      if (!table.isReady(name)) {
        throw Status.UNAVAILABLE
            .withDescription("model version '" + name + "' is not ready")
            .asException();
      }
    } else {
      name =
          table
              .choose()
              .orElseThrow(
                  () ->
                      Status.UNAVAILABLE
                          .withDescription(
                              "no version of model '" + table.config().model() + "' is ready")
                          .asException());
    }
    RouterConfig.Version version = table.config().version(name).orElseThrow();
    if (version.grpcPort().isEmpty()) {
      throw Status.UNIMPLEMENTED
          .withDescription(
              "model version '" + name + "' serves no gRPC (its router config has no grpcPort)")
          .asException();
    }
    return version;
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  /**
   * One call passed through: messages each way, with flow control (the next message is asked for
   * only when the other side can take it, so a slow reader never makes the router buffer), and
   * cancellation and status carried across. gRPC serializes each side's callbacks, and {@code
   * request} is the only method either call allows from the other side's threads.
   */
  private final class Forwarding {
    private final ServerCall<byte[], byte[]> call;
    private final ClientCall<byte[], byte[]> backend;
    private final String version;
    private final long start;
    private final String method;
    private final Metadata headers; // the client's, for the mirror copy
    private final AtomicBoolean clientMessageWanted = new AtomicBoolean();
    private final AtomicBoolean backendMessageWanted = new AtomicBoolean();
    private Optional<Mirror.Copy> copy;
    private byte[] firstMessage;
    private int messages;
    private boolean headersSent;

    Forwarding(
        ServerCall<byte[], byte[]> call,
        ClientCall<byte[], byte[]> backend,
        String version,
        long start,
        Optional<Mirror.Copy> copy,
        String method,
        Metadata headers) {
      this.call = call;
      this.backend = backend;
      this.version = version;
      this.start = start;
      this.copy = copy;
      this.method = method;
      this.headers = headers;
    }

    ServerCall.Listener<byte[]> fromClient() {
      return new ServerCall.Listener<>() {
        @Override
        public void onMessage(byte[] message) {
          if (copy.isPresent() && ++messages == 1) {
            firstMessage = message;
          }
          backend.sendMessage(message);
          askWhenReady(backend::isReady, clientMessageWanted, call::request);
        }

        @Override
        public void onHalfClose() {
          backend.halfClose();
          copy.ifPresent(c -> sendCopy(c));
          copy = Optional.empty();
        }

        @Override
        public void onCancel() {
          backend.cancel("the client cancelled the call", null);
          copy.ifPresent(c -> mirror.finished(c, "failed"));
          copy = Optional.empty();
        }

        @Override
        public void onReady() {
          if (backendMessageWanted.compareAndSet(true, false)) {
            backend.request(1);
          }
        }
      };
    }

    ClientCall.Listener<byte[]> fromBackend() {
      return new ClientCall.Listener<>() {
        @Override
        public void onHeaders(Metadata responseHeaders) {
          responseHeaders.put(MODEL_VERSION, version);
          call.sendHeaders(responseHeaders);
          headersSent = true;
        }

        @Override
        public void onMessage(byte[] message) {
          if (!headersSent) {
            onHeaders(new Metadata());
          }
          call.sendMessage(message);
          askWhenReady(call::isReady, backendMessageWanted, backend::request);
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
          if (!headersSent) {
            trailers.put(MODEL_VERSION, version);
          }
          call.close(status, trailers);
          metrics.grpcCallFinished(version, status.getCode().name(), seconds(start));
        }

        @Override
        public void onReady() {
          if (clientMessageWanted.compareAndSet(true, false)) {
            call.request(1);
          }
        }
      };
    }

    /**
     * Asks the sending side for one more message now if the receiving side can take it, else marks
     * it wanted for the receiving side's {@code onReady}. The second look after marking closes the
     * race with an {@code onReady} that ran in between.
     */
    private void askWhenReady(
        BooleanSupplier receiverReady, AtomicBoolean wanted, IntConsumer request) {
      if (receiverReady.getAsBoolean()) {
        request.accept(1);
        return;
      }
      wanted.set(true);
      if (receiverReady.getAsBoolean() && wanted.compareAndSet(true, false)) {
        request.accept(1);
      }
    }

    /** Sends the one request message to the mirror version; its answer is read and dropped. */
    private void sendCopy(Mirror.Copy c) {
      if (messages != 1) {
        mirror.finished(c, "streaming");
        return;
      }
      if (firstMessage.length > mirror.maxBodyBytes()) {
        mirror.skip(c);
        return;
      }
      RouterConfig.Version target = c.version();
      if (target.grpcPort().isEmpty()) {
        mirror.finished(c, "failed");
        return;
      }
      Metadata copyHeaders = headers;
      // The mirror remembers its prediction under an id of its own, so feedback on the client's
      // id reaches the version that answered the client.
      String id = headers.get(REQUEST_ID);
      copyHeaders.removeAll(REQUEST_ID);
      copyHeaders.put(
          REQUEST_ID, (id == null ? UUID.randomUUID().toString() : id) + Mirror.MIRROR_ID_SUFFIX);
      copyHeaders.removeAll(MODEL_VERSION);
      // Outside the client's call context: that is cancelled when the client's call ends, and the
      // copy must not end with it.
      Context.ROOT.run(() -> sendCopy(target, copyHeaders, c));
    }

    private void sendCopy(RouterConfig.Version target, Metadata copyHeaders, Mirror.Copy c) {
      ClientCall<byte[], byte[]> shadow =
          backends
              .channel(target)
              .newCall(
                  descriptor(method),
                  CallOptions.DEFAULT.withDeadlineAfter(
                      responseTimeout.toMillis(), TimeUnit.MILLISECONDS));
      shadow.start(
          new ClientCall.Listener<>() {
            @Override
            public void onMessage(byte[] message) {
              shadow.request(1);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
              if (!status.isOk()) {
                LOG.log(Level.FINE, "mirror copy to '" + target.name() + "' failed: " + status);
              }
              mirror.finished(c, status.isOk() ? "sent" : "failed");
            }
          },
          copyHeaders);
      shadow.request(1);
      shadow.sendMessage(firstMessage);
      shadow.halfClose();
    }
  }
}
