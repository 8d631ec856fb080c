package dev.skiff.runtime.route;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything {@link RouterServer} needs; built by the command line and by tests.
 *
 * @param configFile the router config (YAML), re-read every {@code configPollInterval}
 * @param host address to bind
 * @param port port to bind; 0 picks a free one
 * @param configPollInterval how often the config file is compared with the one in effect
 * @param healthInterval how often every version's {@code /health/ready} is polled
 * @param healthTimeout how long one readiness check may take before it counts as failed
 * @param connectTimeout how long opening a connection to a backend may take
 * @param responseTimeout how long a backend may take until its response headers arrive
 * @param maxPayloadBytes largest request body the router accepts (413 beyond)
 * @param maxConnections most client TCP connections open at once
 * @param mirrorMaxInFlight mirror copies in flight at once; more are dropped (and counted)
 * @param mirrorMaxBodyBytes largest request body that is mirrored (the copy is held in memory)
 * @param shutdownDelay how long the router answers not-ready before it stops, so Kubernetes removes
 *     it from the Service endpoints before connections are refused
 */
public record RouterOptions(
    Path configFile,
    String host,
    int port,
    Duration configPollInterval,
    Duration healthInterval,
    Duration healthTimeout,
    Duration connectTimeout,
    Duration responseTimeout,
    long maxPayloadBytes,
    int maxConnections,
    int mirrorMaxInFlight,
    int mirrorMaxBodyBytes,
    Duration shutdownDelay) {

  public static final long DEFAULT_MAX_PAYLOAD_BYTES = 32L * 1024 * 1024;

  public static RouterOptions defaults(Path configFile) {
    return new RouterOptions(
        configFile,
        "0.0.0.0",
        8080,
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        Duration.ofSeconds(60),
        DEFAULT_MAX_PAYLOAD_BYTES,
        1024,
        32,
        1024 * 1024,
        Duration.ZERO);
  }

  public RouterOptions withPort(int newPort) {
    return new RouterOptions(
        configFile,
        host,
        newPort,
        configPollInterval,
        healthInterval,
        healthTimeout,
        connectTimeout,
        responseTimeout,
        maxPayloadBytes,
        maxConnections,
        mirrorMaxInFlight,
        mirrorMaxBodyBytes,
        shutdownDelay);
  }

  /** The same options with other polling intervals (tests use short ones). */
  public RouterOptions withIntervals(Duration configPoll, Duration health) {
    return new RouterOptions(
        configFile,
        host,
        port,
        configPoll,
        health,
        healthTimeout,
        connectTimeout,
        responseTimeout,
        maxPayloadBytes,
        maxConnections,
        mirrorMaxInFlight,
        mirrorMaxBodyBytes,
        shutdownDelay);
  }

  /** The same options with other mirror bounds. */
  public RouterOptions withMirrorLimits(int maxInFlight, int maxBodyBytes) {
    return new RouterOptions(
        configFile,
        host,
        port,
        configPollInterval,
        healthInterval,
        healthTimeout,
        connectTimeout,
        responseTimeout,
        maxPayloadBytes,
        maxConnections,
        maxInFlight,
        maxBodyBytes,
        shutdownDelay);
  }
}
