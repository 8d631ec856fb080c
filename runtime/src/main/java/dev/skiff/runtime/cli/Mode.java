package dev.skiff.runtime.cli;

import java.io.PrintStream;

/** A mode of {@code skiff-runtime <mode> ...}: what it accepts, and its work once that parsed. */
interface Mode {
  ModeOptions options();

  /**
   * Does the mode's work; returns the process's exit code. A value out of range is a {@link
   * UsageException} (exit 2); a failure of the mode itself is exit 1 or the mode's own code.
   */
  int run(ModeArguments arguments, PrintStream out, PrintStream err) throws Exception;
}
