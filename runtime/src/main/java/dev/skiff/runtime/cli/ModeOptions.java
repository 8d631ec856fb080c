package dev.skiff.runtime.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;

/**
 * What one mode accepts: its positional parameters and its options, each with a default and a
 * description. {@link #parse} turns the mode's arguments into {@link ModeArguments} or a {@link
 * UsageException}; {@link #printHelp} prints the mode's help.
 *
 * <p>Commons CLI splits the arguments into options and parameters ({@code --name value} and {@code
 * --name=value}, unknown options, options missing their value). This class adds what the modes rely
 * on: defaults, positional parameters by position, required options that are only checked when no
 * help was asked for, options given at most once, and boolean options whose value is optional.
 * Commons CLI is used instead of an annotation-driven library because its classes are plain Java 8
 * bytecode that the JDK's AOT cache can hold (docs/jvm.md).
 */
final class ModeOptions {
  /** In a description, replaced by the option's default so that the help cannot drift from it. */
  private static final String DEFAULT = "{default}";

  static final String HELP_DESCRIPTION = "Show this help message and exit.";
  static final String VERSION_DESCRIPTION = "Print version information and exit.";

  private enum Kind {
    /** {@code --name <value>}; a default when it has one. */
    VALUE,
    /** {@code --name <value>} that must be given. */
    REQUIRED,
    /** {@code --name}, {@code --name=true|false} or {@code --name true|false}. */
    OPTIONAL_BOOLEAN
  }

  private record Declared(
      String name, String label, String defaultValue, Kind kind, String description) {}

  private final String mode;
  private final List<String> description;
  private final List<HelpText.Row> parameters = new ArrayList<>();
  private final List<Declared> declared = new ArrayList<>();
  private final Options options = new Options();

  /**
   * @param mode the mode's name on the command line
   * @param description paragraphs that open its help
   */
  ModeOptions(String mode, String... description) {
    this.mode = mode;
    this.description = List.of(description);
    options.addOption(Option.builder("h").longOpt("help").get());
    options.addOption(Option.builder("V").longOpt("version").get());
  }

  String mode() {
    return mode;
  }

  /** The first paragraph of the description: the mode's line in the top-level help. */
  String summary() {
    return description.get(0);
  }

  /** The next positional parameter, e.g. {@code <model-repository>}; every one is required. */
  ModeOptions parameter(String label, String description) {
    parameters.add(new HelpText.Row(label, description));
    return this;
  }

  /**
   * {@code --name <label>}; {@code defaultValue} (null: none) is what the mode reads when the
   * option is not given, and replaces {@code {default}} in the description.
   */
  ModeOptions option(String name, String label, String defaultValue, String description) {
    return declare(new Declared(name, label, defaultValue, Kind.VALUE, description));
  }

  /** {@code --name <label>} that must be given. */
  ModeOptions requiredOption(String name, String label, String description) {
    return declare(new Declared(name, label, null, Kind.REQUIRED, description));
  }

  /**
   * A boolean whose value may be left out: {@code --name} means true, {@code --name=false} and
   * {@code --name false} say it. A following argument that is not true or false stays a parameter.
   * {@code defaultValue} (null: none) applies when the option is not given.
   */
  ModeOptions optionalBoolean(String name, String defaultValue, String description) {
    return declare(
        new Declared(name, "true|false", defaultValue, Kind.OPTIONAL_BOOLEAN, description));
  }

  /**
   * The value of environment variable {@code variable} when it is set (even empty), else {@code
   * fallback}: a default that a deployment can change without editing the command line.
   */
  static String environmentOr(String variable, String fallback) {
    String value = System.getenv(variable);
    return value != null ? value : fallback;
  }

  private ModeOptions declare(Declared option) {
    if (!option.name().startsWith("--")) {
      throw new IllegalArgumentException("option names start with --: " + option.name());
    }
    declared.add(option);
    // Every value is attached to its name before Commons CLI sees an optional boolean (see
    // attachOptionalBooleanValues), so all options take exactly one argument.
    options.addOption(
        Option.builder()
            .longOpt(option.name().substring(2))
            .hasArg()
            .argName(option.label())
            .get());
    return this;
  }

  /** Parses a mode's arguments (those after the mode's name). */
  ModeArguments parse(String... args) throws UsageException {
    CommandLine line;
    try {
      // A parser has state, so one per call. Abbreviations (--po for --port) are not accepted.
      line =
          DefaultParser.builder()
              .setAllowPartialMatching(false)
              .setStripLeadingAndTrailingQuotes(false) // values reach the mode as typed
              .get()
              .parse(options, attachOptionalBooleanValues(args));
    } catch (UnrecognizedOptionException e) {
      throw new UsageException("Unknown option: '" + e.getOption() + "'");
    } catch (MissingArgumentException e) {
      throw new UsageException(
          "Missing required parameter for option '--"
              + e.getOption().getLongOpt()
              + "' (<"
              + e.getOption().getArgName()
              + ">)");
    } catch (ParseException e) {
      throw new UsageException(e.getMessage());
    }
    ModeArguments arguments = new ModeArguments(this, line);
    if (arguments.helpRequested() || arguments.versionRequested()) {
      return arguments; // --help and --version work on an incomplete command line
    }
    for (Declared option : declared) {
      String[] values = line.getOptionValues(longName(option.name()));
      if (values != null && values.length > 1) {
        throw new UsageException(
            "option '"
                + option.name()
                + "' (<"
                + option.label()
                + ">) should be specified only once");
      }
      if (values == null && option.kind() == Kind.REQUIRED) {
        throw new UsageException(
            "Missing required option: '" + option.name() + "=<" + option.label() + ">'");
      }
    }
    List<String> given = line.getArgList();
    if (given.size() < parameters.size()) {
      List<String> missing =
          parameters.subList(given.size(), parameters.size()).stream()
              .map(p -> "'" + p.name() + "'")
              .toList();
      throw new UsageException(
          (missing.size() == 1 ? "Missing required parameter: " : "Missing required parameters: ")
              + String.join(", ", missing));
    }
    if (given.size() > parameters.size()) {
      List<String> extra =
          given.subList(parameters.size(), given.size()).stream().map(a -> "'" + a + "'").toList();
      throw new UsageException(
          (extra.size() == 1 ? "Unmatched argument: " : "Unmatched arguments: ")
              + String.join(", ", extra));
    }
    return arguments;
  }

  /**
   * Rewrites {@code --flag}, {@code --flag true} and {@code --flag false} of the optional booleans
   * into {@code --flag=<value>}. Commons CLI's optional arguments would take whatever follows as
   * the value, so {@code --allow-private-addresses https://host/model.onnx dest} would lose its
   * URI; only true and false are taken, as the runtime's command line always did.
   */
  private String[] attachOptionalBooleanValues(String[] args) {
    List<String> rewritten = new ArrayList<>(args.length);
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) { // the rest are parameters, whatever they look like
        rewritten.addAll(Arrays.asList(args).subList(i, args.length));
        break;
      }
      if (!isOptionalBoolean(arg)) {
        rewritten.add(arg);
      } else if (i + 1 < args.length && isBooleanWord(args[i + 1])) {
        rewritten.add(arg + "=" + args[++i]);
      } else {
        rewritten.add(arg + "=true");
      }
    }
    return rewritten.toArray(String[]::new);
  }

  private boolean isOptionalBoolean(String arg) {
    return declared.stream()
        .anyMatch(option -> option.kind() == Kind.OPTIONAL_BOOLEAN && option.name().equals(arg));
  }

  private static boolean isBooleanWord(String arg) {
    String word = arg.toLowerCase(Locale.ROOT);
    return word.equals("true") || word.equals("false");
  }

  /** The default of a declared option, or null when it has none. */
  String defaultValue(String name) {
    return declaration(name).defaultValue();
  }

  /** The label of positional parameter {@code index}, e.g. {@code <dest>}. */
  String parameterLabel(int index) {
    return parameters.get(index).name();
  }

  /** {@code --port} → {@code port}, the name Commons CLI keys it by; undeclared names fail. */
  String longName(String name) {
    return declaration(name).name().substring(2);
  }

  private Declared declaration(String name) {
    return declared.stream()
        .filter(option -> option.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(mode + " has no option " + name));
  }

  /** Usage line, description, parameters, then options, each with its description and default. */
  void printHelp(PrintStream out, String command) {
    StringBuilder usage = new StringBuilder("Usage: ").append(command);
    for (Declared option : declared) {
      if (option.kind() == Kind.REQUIRED) {
        usage.append(' ').append(option.name()).append("=<").append(option.label()).append('>');
      }
    }
    usage.append(" [OPTIONS]");
    parameters.forEach(p -> usage.append(' ').append(p.name()));
    out.println(usage);
    description.forEach(paragraph -> HelpText.paragraph(out, paragraph));
    List<HelpText.Row> rows = new ArrayList<>();
    parameters.forEach(p -> rows.add(new HelpText.Row("      " + p.name(), p.description())));
    for (Declared option : declared) {
      String value =
          option.kind() == Kind.OPTIONAL_BOOLEAN
              ? "[=<" + option.label() + ">]"
              : "=<" + option.label() + ">";
      String text =
          option.defaultValue() == null
              ? option.description()
              : option.description().replace(DEFAULT, option.defaultValue());
      rows.add(new HelpText.Row("      " + option.name() + value, text));
    }
    rows.add(new HelpText.Row("  -h, --help", HELP_DESCRIPTION));
    rows.add(new HelpText.Row("  -V, --version", VERSION_DESCRIPTION));
    HelpText.table(out, rows);
  }
}
