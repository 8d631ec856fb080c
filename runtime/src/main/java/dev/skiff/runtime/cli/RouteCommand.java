package dev.skiff.runtime.cli;

import dev.skiff.api.contract.RuntimeCommand;
import dev.skiff.runtime.route.InvalidRouterConfigException;
import dev.skiff.runtime.route.RouterOptions;
import dev.skiff.runtime.route.RouterServer;
import dev.skiff.runtime.web.ConnectionLimits;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/** {@code route --config <file>}: split traffic between model versions by weight. */
final class RouteCommand implements Mode {

  private static final ModeOptions OPTIONS = declareOptions();

  private static ModeOptions declareOptions() {
    ModeOptions options =
        new ModeOptions(
                RuntimeCommand.ROUTE,
                "Weighted reverse proxy in front of one model's versions (see docs/router.md):"
                    + " splits traffic by the weights in the config file, pins with"
                    + " X-Model-Version, mirrors.")
            .requiredOption(
                RuntimeCommand.CONFIG, "file", "Router config (YAML); re-read when it changes.");
    ListenAddress.addTo(options);
    ListenAddress.addGrpcTo(options, "V2 gRPC proxy");
    return options
        .option(
            "--config-poll-ms",
            "ms",
            "1000",
            "How often the config file is compared. Default: {default}.")
        .option(
            "--health-interval-ms",
            "ms",
            "1000",
            "How often each version's /health/ready is polled. Default: {default}.")
        .option(
            "--health-timeout-ms",
            "ms",
            "1000",
            "How long one readiness check may take. Default: {default}.")
        .option(
            "--connect-timeout-ms",
            "ms",
            "2000",
            "How long connecting to a backend may take. Default: {default}.")
        .option(
            "--response-timeout-s",
            "s",
            "60",
            "How long a backend may take to start answering (504 beyond). Default: {default}.")
        .option(
            RuntimeCommand.MAX_PAYLOAD_BYTES,
            "bytes",
            Long.toString(RouterOptions.DEFAULT_MAX_PAYLOAD_BYTES),
            "Largest request body; larger gets 413. Default: {default}.")
        .option(
            "--max-connections",
            "n",
            Integer.toString(ConnectionLimits.DEFAULT_MAX_CONNECTIONS),
            "Most client TCP connections open at once. Default: {default}.")
        .option(
            "--mirror-max-in-flight",
            "n",
            "32",
            "Mirror copies in flight at once; more are dropped. Default: {default}.")
        .option(
            "--mirror-max-body-bytes",
            "bytes",
            "1048576",
            "Largest request body that is mirrored. Default: {default}.")
        .option(
            RuntimeCommand.SHUTDOWN_DELAY_S,
            "s",
            "0",
            "On SIGTERM, keep serving this long with readiness 503 and every response closing"
                + " its connection, so clients move to other pods before the router stops."
                + " Default: {default}.");
  }

  @Override
  public ModeOptions options() {
    return OPTIONS;
  }

  @Override
  public int run(ModeArguments arguments, PrintStream out, PrintStream err) throws Exception {
    Path config = arguments.path(RuntimeCommand.CONFIG);
    ListenAddress listen = ListenAddress.from(arguments);
    int grpcPort = ListenAddress.grpcPort(arguments).orElse(RouterOptions.GRPC_OFF);
    long configPollMillis = arguments.longInteger("--config-poll-ms");
    long healthIntervalMillis = arguments.longInteger("--health-interval-ms");
    long healthTimeoutMillis = arguments.longInteger("--health-timeout-ms");
    long connectTimeoutMillis = arguments.longInteger("--connect-timeout-ms");
    long responseTimeoutSeconds = arguments.longInteger("--response-timeout-s");
    long maxPayloadBytes = arguments.longInteger(RuntimeCommand.MAX_PAYLOAD_BYTES);
    int maxConnections = arguments.integer("--max-connections");
    int mirrorMaxInFlight = arguments.integer("--mirror-max-in-flight");
    int mirrorMaxBodyBytes = arguments.integer("--mirror-max-body-bytes");
    long shutdownDelaySeconds = arguments.longInteger(RuntimeCommand.SHUTDOWN_DELAY_S);

    if (configPollMillis < 1
        || healthIntervalMillis < 1
        || healthTimeoutMillis < 1
        || connectTimeoutMillis < 1
        || responseTimeoutSeconds < 1
        || maxPayloadBytes < 1
        || maxConnections < 1
        || mirrorMaxInFlight < 1
        || mirrorMaxBodyBytes < 0
        || shutdownDelaySeconds < 0) {
      throw new UsageException(
          "intervals, timeouts, --max-payload-bytes, --max-connections and --mirror-max-in-flight"
              + " must be > 0; --mirror-max-body-bytes and --shutdown-delay-s must be >= 0");
    }
    RouterOptions options =
        RouterOptions.builder(config)
            .host(listen.host())
            .port(listen.port())
            .grpcPort(grpcPort)
            .configPollInterval(Duration.ofMillis(configPollMillis))
            .healthInterval(Duration.ofMillis(healthIntervalMillis))
            .healthTimeout(Duration.ofMillis(healthTimeoutMillis))
            .connectTimeout(Duration.ofMillis(connectTimeoutMillis))
            .responseTimeout(Duration.ofSeconds(responseTimeoutSeconds))
            .maxPayloadBytes(maxPayloadBytes)
            .maxConnections(maxConnections)
            .mirrorMaxInFlight(mirrorMaxInFlight)
            .mirrorMaxBodyBytes(mirrorMaxBodyBytes)
            .shutdownDelay(Duration.ofSeconds(shutdownDelaySeconds))
            .build();
    RouterServer router;
    try {
      router = RouterServer.start(options);
    } catch (InvalidRouterConfigException e) {
      err.println("cannot route: " + e.getMessage());
      return 1;
    }
    return UntilShutdown.run(
        router,
        options.shutdownDelay(),
        "Skiff router listening on http://localhost:"
            + router.port()
            + router.grpcPort().stream()
                .mapToObj(p -> " and gRPC port " + p)
                .findFirst()
                .orElse(""),
        out,
        err);
  }
}
