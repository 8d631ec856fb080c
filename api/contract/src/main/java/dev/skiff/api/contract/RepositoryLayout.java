package dev.skiff.api.contract;

/**
 * A model repository as serve mode reads it and the operator lays it out in a pod: {@code
 * <repository>/<model>/model.yaml} ({@link ModelSettingsFile}) and {@code
 * <repository>/<model>/<version>/<model file>}, which fetch mode fills.
 */
public final class RepositoryLayout {

  /** The model's settings file inside its folder. */
  public static final String SETTINGS_FILE = "model.yaml";

  private RepositoryLayout() {}

  /** {@code <repository>/<model>/model.yaml}. */
  public static String settingsFile(String repository, String model) {
    return repository + "/" + model + "/" + SETTINGS_FILE;
  }

  /** {@code <repository>/<model>/<version>}: the folder fetch mode fills. */
  public static String versionDirectory(String repository, String model, String version) {
    return repository + "/" + model + "/" + version;
  }
}
