package dev.skiff.runtime.cli;

/**
 * A mistake on the command line (unknown option, missing parameter, a value that does not parse or
 * is out of range): the mode does not run, the reason is printed with a hint to use {@code --help},
 * and the process exits with 2.
 */
final class UsageException extends Exception {
  UsageException(String message) {
    super(message);
  }
}
