package dev.skiff.runtime.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How the set of served models may change after start, with Triton's names for the same modes. */
public enum ModelControlMode {
  /** Every model is loaded at start and stays; the repository API only answers the index. */
  NONE,
  /**
   * The repository folder is scanned: new or changed models are (re)loaded, removed ones unloaded.
   */
  POLL,
  /** Models are loaded and unloaded through the repository API. */
  EXPLICIT;

  /** The command line's spelling: {@code none}, {@code poll}, {@code explicit}. */
  public String flag() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<ModelControlMode> fromFlag(String value) {
    return Arrays.stream(values()).filter(m -> m.flag().equals(value)).findFirst();
  }
}
