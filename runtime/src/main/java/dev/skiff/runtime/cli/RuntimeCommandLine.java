package dev.skiff.runtime.cli;

import dev.skiff.runtime.web.Version;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code skiff-runtime <mode> ...}: picks the mode, answers {@code help}, {@code --help} and {@code
 * --version}, runs the mode, and turns every {@link UsageException} into a one-line reason and a
 * hint on stderr with exit code 2. Help and version go to stdout.
 */
public final class RuntimeCommandLine {
  private static final String COMMAND = "skiff-runtime";
  private static final List<Mode> MODES =
      List.of(new ServeCommand(), new FetchCommand(), new RouteCommand());

  private RuntimeCommandLine() {}

  /** Runs the command line; returns the process's exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      return usageError(err, COMMAND, "a mode is required: serve, fetch or route");
    }
    String first = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    return switch (first) {
      case "-h", "--help" -> {
        printHelp(out);
        yield 0;
      }
      case "-V", "--version" -> {
        printVersion(out);
        yield 0;
      }
      case "help" -> help(rest, out, err);
      default -> {
        Mode mode = mode(first);
        if (mode == null) {
          yield usageError(
              err,
              COMMAND,
              first.startsWith("-")
                  ? "Unknown option: '" + first + "'"
                  : "Unknown mode: '" + first + "' (use serve, fetch or route)");
        }
        yield run(mode, rest, out, err);
      }
    };
  }

  private static int run(Mode mode, String[] args, PrintStream out, PrintStream err) {
    String command = COMMAND + " " + mode.options().mode();
    try {
      ModeArguments arguments = mode.options().parse(args);
      if (arguments.helpRequested()) {
        mode.options().printHelp(out, command);
        return 0;
      }
      if (arguments.versionRequested()) {
        printVersion(out);
        return 0;
      }
      return mode.run(arguments, out, err);
    } catch (UsageException e) {
      return usageError(err, command, e.getMessage());
    } catch (Exception e) {
      // A mode's unexpected failure (not its own reported ones): exit 1 with what went wrong.
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      e.printStackTrace(err);
      return 1;
    }
  }

  /** {@code help} lists the modes; {@code help <mode>} is {@code <mode> --help}. */
  private static int help(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
      printHelp(out);
      return 0;
    }
    if (args.length > 1) {
      return usageError(err, COMMAND + " help", "Unmatched argument: '" + args[1] + "'");
    }
    Mode mode = mode(args[0]);
    if (mode == null) {
      return usageError(err, COMMAND + " help", "Unknown mode: '" + args[0] + "'");
    }
    mode.options().printHelp(out, COMMAND + " " + mode.options().mode());
    return 0;
  }

  /** The mode called {@code name}, or null. */
  static Mode mode(String name) {
    return MODES.stream().filter(m -> m.options().mode().equals(name)).findFirst().orElse(null);
  }

  private static int usageError(PrintStream err, String command, String reason) {
    err.println(reason);
    err.println("Try '" + command + " --help' for more information.");
    err.flush();
    return 2;
  }

  private static void printVersion(PrintStream out) {
    out.println(COMMAND + " " + Version.current());
    out.flush();
  }

  private static void printHelp(PrintStream out) {
    out.println("Usage: " + COMMAND + " [-hV] <mode> [OPTIONS] [PARAMETERS]");
    HelpText.paragraph(out, "Skiff model-serving runtime.");
    out.println("Modes:");
    List<HelpText.Row> modes =
        new ArrayList<>(
            MODES.stream()
                .map(m -> new HelpText.Row("  " + m.options().mode(), m.options().summary()))
                .toList());
    modes.add(new HelpText.Row("  help", "Show the help of a mode: help <mode>."));
    HelpText.table(out, modes);
    out.println("Options:");
    HelpText.table(
        out,
        List.of(
            new HelpText.Row("  -h, --help", ModeOptions.HELP_DESCRIPTION),
            new HelpText.Row("  -V, --version", ModeOptions.VERSION_DESCRIPTION)));
    out.println("Run '" + COMMAND + " <mode> --help' for the options of a mode.");
    out.flush();
  }
}
