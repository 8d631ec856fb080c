package dev.skiff.runtime.serve;

import dev.skiff.runtime.feedback.FeedbackLogOptions;
import dev.skiff.runtime.image.ImageDecoder;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything {@link ModelServer} needs to serve a model repository; built by the command line and
 * by tests.
 *
 * @param repository the model repository folder
 * @param host address to bind
 * @param port port to bind; 0 picks a free one
 * @param inferenceThreads platform threads that run models
 * @param intraOpThreads threads one model call may use inside the backend
 * @param queueSize requests that may wait for an inference thread before 503
 * @param maxPayloadBytes largest request body accepted (413 beyond)
 * @param maxConnections most TCP connections held open at once
 * @param authTokens bearer tokens; empty disables authentication
 * @param gpu run models on the GPU
 * @param maxImagePixels largest uploaded image, width x height, read from its header (413 beyond)
 * @param feedbackLog where feedback is logged (path null: not logged)
 */
public record ServeOptions(
    Path repository,
    String host,
    int port,
    int inferenceThreads,
    int intraOpThreads,
    int queueSize,
    long maxPayloadBytes,
    int maxConnections,
    List<String> authTokens,
    boolean gpu,
    long maxImagePixels,
    FeedbackLogOptions feedbackLog) {

  public static final long DEFAULT_MAX_PAYLOAD_BYTES = 32L * 1024 * 1024;

  public ServeOptions {
    authTokens = List.copyOf(authTokens);
  }

  /** Defaults sized to this machine: one single-threaded runner per core. */
  public static ServeOptions defaults(Path repository) {
    int cores = Runtime.getRuntime().availableProcessors();
    return new ServeOptions(
        repository,
        "0.0.0.0",
        8080,
        cores,
        1,
        64 * cores,
        DEFAULT_MAX_PAYLOAD_BYTES,
        1024,
        List.of(),
        false,
        ImageDecoder.DEFAULT_MAX_PIXELS,
        FeedbackLogOptions.OFF);
  }

  public ServeOptions withPort(int newPort) {
    return new ServeOptions(
        repository,
        host,
        newPort,
        inferenceThreads,
        intraOpThreads,
        queueSize,
        maxPayloadBytes,
        maxConnections,
        authTokens,
        gpu,
        maxImagePixels,
        feedbackLog);
  }

  public ServeOptions withAuthTokens(List<String> tokens) {
    return new ServeOptions(
        repository,
        host,
        port,
        inferenceThreads,
        intraOpThreads,
        queueSize,
        maxPayloadBytes,
        maxConnections,
        tokens,
        gpu,
        maxImagePixels,
        feedbackLog);
  }

  public ServeOptions withLimits(int threads, int queue, long payloadBytes) {
    return new ServeOptions(
        repository,
        host,
        port,
        threads,
        intraOpThreads,
        queue,
        payloadBytes,
        maxConnections,
        authTokens,
        gpu,
        maxImagePixels,
        feedbackLog);
  }

  public ServeOptions withImagesAndFeedback(long newMaxImagePixels, FeedbackLogOptions log) {
    return new ServeOptions(
        repository,
        host,
        port,
        inferenceThreads,
        intraOpThreads,
        queueSize,
        maxPayloadBytes,
        maxConnections,
        authTokens,
        gpu,
        newMaxImagePixels,
        log);
  }
}
