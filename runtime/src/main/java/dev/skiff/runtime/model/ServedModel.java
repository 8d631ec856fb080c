package dev.skiff.runtime.model;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model in the repository: its settings and its versions, one of which answers requests that name
 * no version.
 */
public final class ServedModel {
  private final String name;
  private final Path folder;
  private final ModelSettings settings;
  private final Map<String, ModelVersion> versions;
  private final String defaultVersion;
  private final List<String> orderedVersions;

  ServedModel(
      String name,
      Path folder,
      ModelSettings settings,
      Map<String, ModelVersion> versions,
      String defaultVersion) {
    this.name = name;
    this.folder = folder;
    this.settings = settings;
    this.versions = Map.copyOf(versions);
    this.defaultVersion = defaultVersion;
    this.orderedVersions = versions.keySet().stream().sorted(VersionOrder.INSTANCE).toList();
  }

  public String name() {
    return name;
  }

  /** The model's folder in the repository. */
  public Path folder() {
    return folder;
  }

  public ModelSettings settings() {
    return settings;
  }

  /** Version names, lowest first ({@code v2} before {@code v10}). */
  public List<String> versionNames() {
    return orderedVersions;
  }

  public Collection<ModelVersion> versions() {
    return orderedVersions.stream().map(versions::get).toList();
  }

  public Optional<ModelVersion> version(String version) {
    return Optional.ofNullable(versions.get(version));
  }

  public ModelVersion defaultVersion() {
    return versions.get(defaultVersion);
  }

  public boolean isReady() {
    return versions.values().stream().allMatch(ModelVersion::isReady);
  }
}
