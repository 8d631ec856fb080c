package dev.skiff.runtime.cli;

import dev.skiff.api.contract.RuntimeCommand;
import dev.skiff.api.contract.RuntimeHttp;

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

  static ListenAddress from(ModeArguments arguments) throws UsageException {
    return new ListenAddress(arguments.string("--host"), arguments.integer(RuntimeCommand.PORT));
  }
}
