package dev.skiff.runtime.cli;

import dev.skiff.api.contract.RuntimeCommand;
import dev.skiff.api.contract.RuntimeHttp;
import java.util.OptionalInt;

/**
 * Where a server mode listens: the {@code --host} and {@code --port} that serve and route share.
 */
record ListenAddress(String host, int port) {

  /** Declares {@code --port} and {@code --host} on a mode. */
  static void addTo(ModeOptions options) {
    options
        .option(
            RuntimeCommand.PORT,
            "port",
            Integer.toString(RuntimeHttp.PORT),
            "Port to listen on (0 picks a free one). Default: {default}.")
        .option("--host", "host", "0.0.0.0", "Address to bind. Default: {default}.");
  }

  /** Declares {@code --grpc-port} (a port, 0 for a free one, or {@code off}) on a mode. */
  static void addGrpcTo(ModeOptions options, String what) {
    options.option(
        RuntimeCommand.GRPC_PORT,
        "port|off",
        Integer.toString(RuntimeHttp.GRPC_PORT),
        "Port of the "
            + what
            + ", on --host (0 picks a free one, off serves no gRPC)."
            + " Default: {default}.");
  }

  /** {@code --grpc-port}: a port, 0 for a free one, or empty for {@code off}. */
  static OptionalInt grpcPort(ModeArguments arguments) throws UsageException {
    return grpcPort(arguments.string(RuntimeCommand.GRPC_PORT));
  }

  static OptionalInt grpcPort(String value) throws UsageException {
    if (value.equals("off")) {
      return OptionalInt.empty();
    }
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return OptionalInt.of(port);
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new UsageException(
        RuntimeCommand.GRPC_PORT + " must be a port (0..65535) or off, not '" + value + "'");
  }

  static ListenAddress from(ModeArguments arguments) throws UsageException {
    return new ListenAddress(arguments.string("--host"), arguments.integer(RuntimeCommand.PORT));
  }
}
