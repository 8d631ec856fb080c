package dev.skiff.runtime.model;

import dev.skiff.api.contract.RepositoryLayout;
import dev.skiff.runtime.backend.BackendOptions;
import dev.skiff.runtime.backend.BackendProvider;
import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.execution.Runners;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A folder of models laid out as {@code <repo>/<model>/model.yaml} and {@code
 * <repo>/<model>/<version>/<model file>}. {@link #open} reads the layout (fast, and fails for a
 * missing or empty repository); {@link #loadAll} then loads and warms every version, recording a
 * failure per version so the other models still load. {@link ModelRepositoryControl} later loads,
 * reloads and unloads models while requests are served; the maps here are what requests see.
 */
public final class ModelRepository implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ModelRepository.class.getName());
  public static final String SETTINGS_FILE = RepositoryLayout.SETTINGS_FILE;

  private final Path root;
  private final Map<String, ServedModel> models;
  private final Map<String, String> brokenModels;
  private final Map<String, Unloaded> unloaded = new ConcurrentSkipListMap<>();
  private final List<BackendProvider> backends;

  /**
   * A model the repository knows but does not serve on purpose (unloaded, or not loaded at start in
   * explicit mode): it does not keep the server from being ready.
   *
   * @param versions its version names when it was last read, lowest first; may be empty
   * @param reason why it is not served, for the repository index
   */
  record Unloaded(List<String> versions, String reason) {
    Unloaded {
      versions = List.copyOf(versions);
    }
  }

  private ModelRepository(
      Path root,
      Map<String, ServedModel> models,
      Map<String, String> brokenModels,
      List<BackendProvider> backends) {
    this.root = root;
    this.models = new ConcurrentSkipListMap<>(models);
    this.brokenModels = new ConcurrentSkipListMap<>(brokenModels);
    this.backends = backends;
  }

  /** Backends on the class path, found with ServiceLoader. */
  public static List<BackendProvider> discoverBackends() {
    return ServiceLoader.load(BackendProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .toList();
  }

  /**
   * Reads the repository layout and every model.yaml. A model whose folder or settings are broken
   * is recorded in {@link #brokenModels()}; the others are returned in state LOADING.
   *
   * @throws ModelLoadException when the folder is missing, unreadable or holds no model at all
   */
  public static ModelRepository open(Path root, List<BackendProvider> backends) {
    if (!Files.isDirectory(root)) {
      throw new ModelLoadException("model repository " + root + " is not a directory");
    }
    Map<String, ServedModel> models = new LinkedHashMap<>();
    Map<String, String> broken = new LinkedHashMap<>();
    List<Path> folders;
    try (Stream<Path> list = Files.list(root)) {
      folders = list.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new ModelLoadException("cannot list model repository " + root + ": " + e, e);
    }
    for (Path folder : folders) {
      if (folder.getFileName().toString().startsWith(".")) {
        continue;
      }
      try {
        ServedModel model = readModel(folder, backends);
        if (models.containsKey(model.name())) {
          throw new ModelLoadException(
              "model name '" + model.name() + "' is used by more than one folder");
        }
        models.put(model.name(), model);
      } catch (ModelLoadException e) {
        broken.put(folder.getFileName().toString(), e.getMessage());
        LOG.warning("model folder " + folder + " skipped: " + e.getMessage());
      }
    }
    if (models.isEmpty() && broken.isEmpty()) {
      throw new ModelLoadException(
          "model repository "
              + root
              + " holds no models; expected <repo>/<model>/"
              + SETTINGS_FILE
              + " and <repo>/<model>/<version>/<model file>");
    }
    return new ModelRepository(root, models, broken, backends);
  }

  /**
   * Reads one model folder's model.yaml and version folders.
   *
   * @throws ModelLoadException naming what is wrong with the folder
   */
  static ServedModel readModel(Path folder, List<BackendProvider> backends) {
    String folderName = folder.getFileName().toString();
    Path settingsFile = folder.resolve(SETTINGS_FILE);
    if (!Files.isRegularFile(settingsFile)) {
      throw new ModelLoadException("model folder '" + folderName + "' has no " + SETTINGS_FILE);
    }
    ModelSettings settings = ModelSettings.from(SettingsReader.read(settingsFile), folderName);
    String name = settings.name();
    String where = "model '" + name + "'";
    if (settings.format() != null
        && backends.stream().noneMatch(b -> b.format().equals(settings.format()))) {
      throw new ModelLoadException(
          where
              + ": format '"
              + settings.format()
              + "' is not supported; this runtime has "
              + backends.stream().map(BackendProvider::format).toList());
    }
    Map<String, ModelVersion> versions = new LinkedHashMap<>();
    try (Stream<Path> list = Files.list(folder)) {
      for (Path dir : list.filter(Files::isDirectory).sorted().toList()) {
        String version = dir.getFileName().toString();
        if (!version.startsWith(".")) {
          versions.put(version, new ModelVersion(name, version, dir));
        }
      }
    } catch (IOException e) {
      throw new ModelLoadException(where + ": cannot list " + folder + ": " + e, e);
    }
    if (versions.isEmpty()) {
      throw new ModelLoadException(
          where + " has no version folders; expected " + folder + "/<version>/<model file>");
    }
    String defaultVersion = settings.defaultVersion();
    if (defaultVersion == null) {
      defaultVersion = versions.keySet().stream().max(VersionOrder.INSTANCE).orElseThrow();
    } else if (!versions.containsKey(defaultVersion)) {
      throw new ModelLoadException(
          where + ": defaultVersion '" + defaultVersion + "' is not among " + versions.keySet());
    }
    return new ServedModel(name, folder, settings, versions, defaultVersion);
  }

  /**
   * Loads, checks and warms up every version, one at a time, into its {@link ServingVersion};
   * {@code onLoaded} hears about each version once it is READY or FAILED.
   */
  public void loadAll(
      BackendOptions options, Runners runners, BiConsumer<ModelVersion, Double> onLoaded) {
    VersionLoader loader = new VersionLoader(backends, options, runners);
    for (ServedModel model : models.values()) {
      for (ModelVersion version : model.versions()) {
        double seconds = loadVersion(loader, model, version);
        onLoaded.accept(version, seconds);
      }
    }
  }

  /**
   * Loads one version into READY or FAILED (with the reason, also logged).
   *
   * @return how long it took, in seconds
   */
  static double loadVersion(VersionLoader loader, ServedModel model, ModelVersion version) {
    long start = System.nanoTime();
    try {
      ServingVersion loaded = loader.load(model, version, start);
      version.markReady(loaded);
      LOG.info(() -> loaded.describe() + " ready in " + loaded.loadSeconds() + " s");
    } catch (ModelLoadException | UncheckedIOException e) {
      version.markFailed(e.getMessage());
      LOG.severe(e.getMessage());
    } catch (RuntimeException e) {
      version.markFailed(describe(model, version) + ": " + e);
      LOG.log(Level.SEVERE, describe(model, version) + " failed to load", e);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static String describe(ServedModel model, ModelVersion version) {
    return "model '" + model.name() + "' version '" + version.name() + "'";
  }

  public Path root() {
    return root;
  }

  public Collection<ServedModel> models() {
    return models.values();
  }

  public Optional<ServedModel> model(String name) {
    return Optional.ofNullable(models.get(name));
  }

  /**
   * Models that should be served but are not: folders that could not be read (by folder name) and
   * models whose load failed with no version left serving (by model name), with the reason.
   */
  public Map<String, String> brokenModels() {
    return Map.copyOf(brokenModels);
  }

  /** Models known but not served on purpose, by name; they do not affect readiness. */
  Map<String, Unloaded> unloadedModels() {
    return Map.copyOf(unloaded);
  }

  List<BackendProvider> backends() {
    return backends;
  }

  /** Serves {@code model} under its name; the model it replaces, if any, is returned. */
  Optional<ServedModel> publish(ServedModel model) {
    unloaded.remove(model.name());
    brokenModels.remove(model.name());
    brokenModels.remove(model.folder().getFileName().toString());
    return Optional.ofNullable(models.put(model.name(), model));
  }

  /** Stops serving {@code name}, remembering it as unloaded; the removed model, if any. */
  Optional<ServedModel> withdraw(String name, Unloaded why) {
    ServedModel removed = models.remove(name);
    brokenModels.remove(name);
    unloaded.put(name, why);
    return Optional.ofNullable(removed);
  }

  /** {@code name} should be served but could not be loaded: the server is not ready. */
  void markBroken(String name, String reason) {
    unloaded.remove(name);
    brokenModels.put(name, reason);
  }

  /** Forgets a broken or unloaded entry (its folder is gone). */
  void forget(String name) {
    unloaded.remove(name);
    brokenModels.remove(name);
  }

  /**
   * What did not load, one line each: the broken model folders and the versions that FAILED (their
   * messages name the model and version). Empty while everything is loaded or still loading.
   */
  public List<String> loadFailures() {
    List<String> failures = new ArrayList<>();
    brokenModels.forEach((folder, why) -> failures.add("model folder '" + folder + "': " + why));
    for (ServedModel model : models.values()) {
      for (ModelVersion version : model.versions()) {
        version.failure().ifPresent(failures::add);
      }
    }
    return failures;
  }

  /**
   * True when every model that should be served is: every served version is loaded and warmed up
   * and no model that should be served is broken. Unloaded models do not count.
   */
  public boolean isReady() {
    return brokenModels.isEmpty() && models.values().stream().allMatch(ServedModel::isReady);
  }

  @Override
  public void close() {
    models.values().forEach(m -> m.versions().forEach(ModelVersion::unload));
  }
}
