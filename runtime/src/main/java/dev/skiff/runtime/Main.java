package dev.skiff.runtime;

import dev.skiff.runtime.cli.FetchCommand;
import dev.skiff.runtime.cli.RouteCommand;
import dev.skiff.runtime.cli.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code skiff-runtime <mode> ...}. */
@Command(
    name = "skiff-runtime",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Skiff model-serving runtime.",
    subcommands = {
      ServeCommand.class,
      FetchCommand.class,
      RouteCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int exit = new CommandLine(new Main()).execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a mode is required: serve, fetch or route");
  }

  /** Reports the version from the jar manifest. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"skiff-runtime " + Version.current()};
    }
  }
}
