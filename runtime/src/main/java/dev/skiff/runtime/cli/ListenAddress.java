package dev.skiff.runtime.cli;

import picocli.CommandLine.Option;

/**
 * Where a server mode listens: the {@code --host} and {@code --port} that serve and route share.
 */
final class ListenAddress {
  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "Port to listen on (0 picks a free one). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(
      names = "--host",
      defaultValue = "0.0.0.0",
      description = "Address to bind. Default: ${DEFAULT-VALUE}.")
  String host;
}
