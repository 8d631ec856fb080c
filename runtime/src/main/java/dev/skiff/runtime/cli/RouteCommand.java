package dev.skiff.runtime.cli;

import dev.skiff.runtime.route.InvalidRouterConfigException;
import dev.skiff.runtime.route.RouterOptions;
import dev.skiff.runtime.route.RouterServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code route --config <file>}: split traffic between model versions by weight. */
@Command(
    name = "route",
    mixinStandardHelpOptions = true,
    description =
        "Weighted reverse proxy in front of one model's versions (see docs/router.md): splits"
            + " traffic by the weights in the config file, pins with X-Model-Version, mirrors.")
public final class RouteCommand implements Callable<Integer> {

  @Option(
      names = "--config",
      required = true,
      paramLabel = "<file>",
      description = "Router config (YAML); re-read when it changes.")
  Path config;

  @Mixin ListenAddress listen;

  @Option(
      names = "--config-poll-ms",
      defaultValue = "1000",
      description = "How often the config file is compared. Default: ${DEFAULT-VALUE}.")
  long configPollMillis;

  @Option(
      names = "--health-interval-ms",
      defaultValue = "1000",
      description = "How often each version's /health/ready is polled. Default: ${DEFAULT-VALUE}.")
  long healthIntervalMillis;

  @Option(
      names = "--health-timeout-ms",
      defaultValue = "1000",
      description = "How long one readiness check may take. Default: ${DEFAULT-VALUE}.")
  long healthTimeoutMillis;

  @Option(
      names = "--connect-timeout-ms",
      defaultValue = "2000",
      description = "How long connecting to a backend may take. Default: ${DEFAULT-VALUE}.")
  long connectTimeoutMillis;

  @Option(
      names = "--response-timeout-s",
      defaultValue = "60",
      description =
          "How long a backend may take to start answering (504 beyond). Default:"
              + " ${DEFAULT-VALUE}.")
  long responseTimeoutSeconds;

  @Option(
      names = "--max-payload-bytes",
      defaultValue = "" + RouterOptions.DEFAULT_MAX_PAYLOAD_BYTES,
      description = "Largest request body; larger gets 413. Default: ${DEFAULT-VALUE}.")
  long maxPayloadBytes;

  @Option(
      names = "--max-connections",
      defaultValue = "1024",
      description = "Most client TCP connections open at once. Default: ${DEFAULT-VALUE}.")
  int maxConnections;

  @Option(
      names = "--mirror-max-in-flight",
      defaultValue = "32",
      description = "Mirror copies in flight at once; more are dropped. Default: ${DEFAULT-VALUE}.")
  int mirrorMaxInFlight;

  @Option(
      names = "--mirror-max-body-bytes",
      defaultValue = "1048576",
      description = "Largest request body that is mirrored. Default: ${DEFAULT-VALUE}.")
  int mirrorMaxBodyBytes;

  @Option(
      names = "--shutdown-delay-s",
      defaultValue = "0",
      description =
          "On SIGTERM, answer not-ready this long before stopping (endpoint removal). Default:"
              + " ${DEFAULT-VALUE}.")
  long shutdownDelaySeconds;

  @Override
  public Integer call() throws Exception {
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
      System.err.println(
          "intervals, timeouts, --max-payload-bytes, --max-connections and --mirror-max-in-flight"
              + " must be > 0; --mirror-max-body-bytes and --shutdown-delay-s must be >= 0");
      return 2;
    }
    RouterOptions options =
        new RouterOptions(
            config,
            listen.host,
            listen.port,
            Duration.ofMillis(configPollMillis),
            Duration.ofMillis(healthIntervalMillis),
            Duration.ofMillis(healthTimeoutMillis),
            Duration.ofMillis(connectTimeoutMillis),
            Duration.ofSeconds(responseTimeoutSeconds),
            maxPayloadBytes,
            maxConnections,
            mirrorMaxInFlight,
            mirrorMaxBodyBytes,
            Duration.ofSeconds(shutdownDelaySeconds));
    RouterServer router;
    try {
      router = RouterServer.start(options);
    } catch (InvalidRouterConfigException e) {
      System.err.println("cannot route: " + e.getMessage());
      return 1;
    }
    return UntilShutdown.run(router, "Skiff router listening on http://localhost:" + router.port());
  }
}
