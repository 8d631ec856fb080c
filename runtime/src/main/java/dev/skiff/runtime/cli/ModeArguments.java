package dev.skiff.runtime.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;
import org.apache.commons.cli.CommandLine;

/**
 * A mode's parsed arguments: each option's value, or its default when it was not given, converted
 * to the type the mode needs. A value that does not convert is a {@link UsageException} that names
 * the option and the value, e.g. {@code Invalid value for option '--port': 'eighty' is not an int}.
 */
final class ModeArguments {
  private final ModeOptions options;
  private final CommandLine line;

  ModeArguments(ModeOptions options, CommandLine line) {
    this.options = options;
    this.line = line;
  }

  boolean helpRequested() {
    return line.hasOption("help");
  }

  boolean versionRequested() {
    return line.hasOption("version");
  }

  /** The option's text as given, else its default; null when neither. */
  String string(String name) {
    String given = line.getOptionValue(options.longName(name));
    return given != null ? given : options.defaultValue(name);
  }

  Integer integer(String name) throws UsageException {
    return value(name, ModeArguments::toInt);
  }

  Long longInteger(String name) throws UsageException {
    return value(name, ModeArguments::toLong);
  }

  Boolean bool(String name) throws UsageException {
    return value(name, ModeArguments::toBoolean);
  }

  Path path(String name) throws UsageException {
    return value(name, ModeArguments::toPath);
  }

  URI uri(String name) throws UsageException {
    return value(name, ModeArguments::toUri);
  }

  /**
   * The option converted by {@code converter}, which throws an IllegalArgumentException whose
   * message says why the text is not a value (it is shown after the option's name); null when the
   * option has neither a value nor a default.
   */
  <T> T value(String name, Function<String, T> converter) throws UsageException {
    String text = string(name);
    if (text == null) {
      return null;
    }
    try {
      return converter.apply(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException("Invalid value for option '" + name + "': " + e.getMessage());
    }
  }

  /** Positional parameter {@code index} (all are required, so it is there). */
  String parameter(int index) {
    return line.getArgList().get(index);
  }

  Path pathParameter(int index) throws UsageException {
    try {
      return toPath(parameter(index));
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          "Invalid value for parameter '" + options.parameterLabel(index) + "': " + e.getMessage());
    }
  }

  static int toInt(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not an int");
    }
  }

  static long toLong(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a long");
    }
  }

  static boolean toBoolean(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("'" + text + "' is not a boolean");
    };
  }

  static Path toPath(String text) {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("'" + text + "' is not a path: " + e.getReason());
    }
  }

  static URI toUri(String text) {
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + text + "' is not a URI: " + e.getMessage());
    }
  }
}
