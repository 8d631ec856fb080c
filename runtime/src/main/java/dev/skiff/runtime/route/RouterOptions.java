package dev.skiff.runtime.route;

import dev.skiff.api.contract.RuntimeHttp;
import dev.skiff.runtime.web.ConnectionLimits;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything {@link RouterServer} needs; built by the command line and by tests with {@link
 * #builder}, which starts from the command line's defaults.
 *
 * @param configFile the router config (YAML), re-read every {@code configPollInterval}
 * @param host address to bind
 * @param port port to bind; 0 picks a free one
 * @param grpcPort port of the gRPC proxy, on the same host; 0 picks a free one, {@link #GRPC_OFF}
 *     serves no gRPC (the builder's default, so tests bind no fixed port)
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
    int grpcPort,
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

  /** {@link #grpcPort} of a router without gRPC. */
  public static final int GRPC_OFF = -1;

  /** A builder that starts from the command line's defaults. */
  public static Builder builder(Path configFile) {
    return new Builder(configFile);
  }

  /** Builds {@link RouterOptions}; every field starts at the command line's default. */
  public static final class Builder {
    private final Path configFile;
    private String host = "0.0.0.0";
    private int port = RuntimeHttp.PORT;
    private int grpcPort = GRPC_OFF;
    private Duration configPollInterval = Duration.ofSeconds(1);
    private Duration healthInterval = Duration.ofSeconds(1);
    private Duration healthTimeout = Duration.ofSeconds(1);
    private Duration connectTimeout = Duration.ofSeconds(2);
    private Duration responseTimeout = Duration.ofSeconds(60);
    private long maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
    private int maxConnections = ConnectionLimits.DEFAULT_MAX_CONNECTIONS;
    private int mirrorMaxInFlight = 32;
    private int mirrorMaxBodyBytes = 1024 * 1024;
    private Duration shutdownDelay = Duration.ZERO;

    private Builder(Path configFile) {
      this.configFile = configFile;
    }

    public Builder host(String value) {
      this.host = value;
      return this;
    }

    public Builder port(int value) {
      this.port = value;
      return this;
    }

    public Builder grpcPort(int value) {
      this.grpcPort = value;
      return this;
    }

    public Builder configPollInterval(Duration value) {
      this.configPollInterval = value;
      return this;
    }

    public Builder healthInterval(Duration value) {
      this.healthInterval = value;
      return this;
    }

    public Builder healthTimeout(Duration value) {
      this.healthTimeout = value;
      return this;
    }

    public Builder connectTimeout(Duration value) {
      this.connectTimeout = value;
      return this;
    }

    public Builder responseTimeout(Duration value) {
      this.responseTimeout = value;
      return this;
    }

    public Builder maxPayloadBytes(long value) {
      this.maxPayloadBytes = value;
      return this;
    }

    public Builder maxConnections(int value) {
      this.maxConnections = value;
      return this;
    }

    public Builder mirrorMaxInFlight(int value) {
      this.mirrorMaxInFlight = value;
      return this;
    }

    public Builder mirrorMaxBodyBytes(int value) {
      this.mirrorMaxBodyBytes = value;
      return this;
    }

    public Builder shutdownDelay(Duration value) {
      this.shutdownDelay = value;
      return this;
    }

    public RouterOptions build() {
      return new RouterOptions(
          configFile,
          host,
          port,
          grpcPort,
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
  }
}
