package dev.skiff.runtime.cli;

import dev.skiff.runtime.RuntimeServer;
import dev.skiff.runtime.ServeOptions;
import dev.skiff.runtime.feedback.FeedbackLogOptions;
import dev.skiff.runtime.image.ImageDecoder;
import dev.skiff.runtime.model.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code serve <model-repository>}: load every model in the folder and serve it over HTTP. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve every model in a model repository over HTTP (Open Inference Protocol V2).")
public final class ServeCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "<model-repository>",
      description = "Folder laid out as <model>/model.yaml and <model>/<version>/<model file>.")
  Path repository;

  @Mixin ListenAddress listen;

  @Option(
      names = "--inference-threads",
      description = "Platform threads that run models. Default: one per core.")
  Integer inferenceThreads;

  @Option(
      names = "--intra-op-threads",
      defaultValue = "1",
      description =
          "Threads one model call may use. Keep threads x intra-op <= cores. Default:"
              + " ${DEFAULT-VALUE}.")
  int intraOpThreads;

  @Option(
      names = "--queue-size",
      description = "Requests that may wait for a thread before 503. Default: 64 per core.")
  Integer queueSize;

  @Option(
      names = "--max-payload-bytes",
      defaultValue = "" + ServeOptions.DEFAULT_MAX_PAYLOAD_BYTES,
      description = "Largest request body; larger gets 413. Default: ${DEFAULT-VALUE}.")
  long maxPayloadBytes;

  @Option(
      names = "--max-connections",
      defaultValue = "1024",
      description = "Most TCP connections open at once. Default: ${DEFAULT-VALUE}.")
  int maxConnections;

  @Option(
      names = "--auth-tokens-file",
      description =
          "File with one bearer token per line ('#' starts a comment). Also read:"
              + " SKIFF_AUTH_TOKENS (comma-separated). With no tokens, auth is off.")
  Path authTokensFile;

  @Option(
      names = "--device",
      defaultValue = "${env:SKIFF_DEVICE:-cpu}",
      description = "cpu or gpu (CUDA). Default: $SKIFF_DEVICE or cpu.")
  String device;

  @Option(
      names = "--max-image-pixels",
      defaultValue = "" + ImageDecoder.DEFAULT_MAX_PIXELS,
      description =
          "Largest uploaded image (width x height, read from its header before decoding);"
              + " larger gets 413. Default: ${DEFAULT-VALUE}.")
  long maxImagePixels;

  @Option(
      names = "--feedback-log",
      description = "JSON-lines file that feedback is appended to. Default: none (not logged).")
  Path feedbackLog;

  @Option(
      names = "--feedback-log-max-bytes",
      defaultValue = "" + FeedbackLogOptions.DEFAULT_MAX_BYTES,
      description = "Size at which the feedback log is rotated. Default: ${DEFAULT-VALUE}.")
  long feedbackLogMaxBytes;

  @Option(
      names = "--feedback-log-files",
      defaultValue = "" + FeedbackLogOptions.DEFAULT_FILES,
      description = "Rotated feedback logs kept (<log>.1 .. <log>.N). Default: ${DEFAULT-VALUE}.")
  int feedbackLogFiles;

  @Override
  public Integer call() throws Exception {
    if (!device.equals("cpu") && !device.equals("gpu")) {
      System.err.println("--device must be cpu or gpu, not '" + device + "'");
      return 2;
    }
    if (intraOpThreads < 1 || maxPayloadBytes < 1 || maxConnections < 1) {
      System.err.println(
          "--intra-op-threads, --max-payload-bytes and --max-connections must be > 0");
      return 2;
    }
    if (maxImagePixels < 1 || feedbackLogMaxBytes < 1 || feedbackLogFiles < 0) {
      System.err.println(
          "--max-image-pixels and --feedback-log-max-bytes must be > 0,"
              + " --feedback-log-files >= 0");
      return 2;
    }
    ServeOptions defaults = ServeOptions.defaults(repository);
    List<String> tokens;
    try {
      tokens = tokens(authTokensFile, System.getenv("SKIFF_AUTH_TOKENS"));
    } catch (IOException e) {
      System.err.println("cannot read --auth-tokens-file: " + e.getMessage());
      return 2;
    }
    ServeOptions options =
        new ServeOptions(
            repository,
            listen.host,
            listen.port,
            inferenceThreads == null ? defaults.inferenceThreads() : inferenceThreads,
            intraOpThreads,
            queueSize == null ? defaults.queueSize() : queueSize,
            maxPayloadBytes,
            maxConnections,
            tokens,
            device.equals("gpu"),
            maxImagePixels,
            new FeedbackLogOptions(feedbackLog, feedbackLogMaxBytes, feedbackLogFiles));
    if (options.inferenceThreads() < 1 || options.queueSize() < 1) {
      System.err.println("--inference-threads and --queue-size must be > 0");
      return 2;
    }
    RuntimeServer server;
    try {
      server = RuntimeServer.start(options);
    } catch (ModelLoadException e) {
      System.err.println("cannot serve: " + e.getMessage());
      return 1;
    }
    return UntilShutdown.run(
        server,
        "Skiff runtime listening on http://localhost:"
            + server.port()
            + "  (Swagger UI: http://localhost:"
            + server.port()
            + "/docs)"
            + (tokens.isEmpty() ? "" : "  [bearer-token auth on]"));
  }

  /** Tokens from the file (one per line) and the environment variable (comma-separated). */
  static List<String> tokens(Path file, String env) throws IOException {
    List<String> tokens = new ArrayList<>();
    if (file != null) {
      for (String line : Files.readAllLines(file)) {
        String token = line.strip();
        if (!token.isEmpty() && !token.startsWith("#")) {
          tokens.add(token);
        }
      }
    }
    if (env != null) {
      Arrays.stream(env.split(","))
          .map(String::strip)
          .filter(t -> !t.isEmpty())
          .forEach(tokens::add);
    }
    return tokens;
  }
}
