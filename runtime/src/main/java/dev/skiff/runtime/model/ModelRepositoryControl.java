package dev.skiff.runtime.model;

import dev.skiff.runtime.backend.BackendOptions;
import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.execution.Runners;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The model repository extension's operations, for the REST and the gRPC API and for the poller:
 * the index, load (or reload) and unload. Operations run one at a time. A load reads the model's
 * folder afresh and loads and warms every version before anything changes; only then does the new
 * model replace the old one, whose versions close once the requests running on them finished. A
 * load that fails leaves what served before serving and records why for the index and the log.
 */
public final class ModelRepositoryControl {
  private static final Logger LOG = Logger.getLogger(ModelRepositoryControl.class.getName());

  /** Triton's and MLServer's state names. */
  public static final String READY = "READY";

  public static final String LOADING = "LOADING";
  public static final String UNAVAILABLE = "UNAVAILABLE";

  /**
   * One row of the repository index, as Triton and MLServer answer it.
   *
   * @param name the model's name
   * @param version the version's name; empty for a model whose versions are not known
   * @param state READY, LOADING or UNAVAILABLE
   * @param reason why it is not READY (or why its last load failed); empty otherwise
   */
  public record IndexEntry(String name, Optional<String> version, String state, String reason) {}

  /** What the server's metrics and logs hear about. */
  public interface Events {
    /** A version was loaded (or failed to) at start, or became serving through a load. */
    void versionLoaded(ModelVersion version, double seconds);

    /** A version stopped serving (unloaded, replaced by a reload, or removed). */
    void versionUnloaded(String model, String version);

    /** A load or unload finished; {@code operation} is {@code load} or {@code unload}. */
    void operation(String operation, boolean succeeded);
  }

  private final ModelRepository repository;
  private final ModelControlMode mode;
  private final long memoryBudgetBytes;
  private final VersionLoader loader;
  private final Events events;
  private final Map<String, Long> chargedBytes = new ConcurrentHashMap<>();
  private final Map<String, String> lastLoadFailure = new ConcurrentHashMap<>();

  /**
   * @param memoryBudgetBytes the most bytes of model files served at once; 0 for no budget
   */
  public ModelRepositoryControl(
      ModelRepository repository,
      ModelControlMode mode,
      long memoryBudgetBytes,
      BackendOptions options,
      Runners runners,
      Events events) {
    if (memoryBudgetBytes < 0) {
      throw new IllegalArgumentException("the memory budget must be >= 0 bytes (0: none)");
    }
    this.repository = repository;
    this.mode = mode;
    this.memoryBudgetBytes = memoryBudgetBytes;
    this.loader = new VersionLoader(repository.backends(), options, runners);
    this.events = events;
  }

  public ModelControlMode mode() {
    return mode;
  }

  public ModelRepository repository() {
    return repository;
  }

  /**
   * Loads the models that should serve from the start: all of them, or in explicit mode only those
   * named in {@code startupModels} when it is not empty. A model that does not fit the budget is
   * not loaded and makes the server not ready.
   */
  public synchronized void loadAtStart(List<String> startupModels) {
    Set<String> wanted = new HashSet<>(startupModels);
    if (mode == ModelControlMode.EXPLICIT && !wanted.isEmpty() && !wanted.contains("*")) {
      for (ServedModel model : List.copyOf(repository.models())) {
        if (!wanted.remove(model.name())) {
          repository.withdraw(
              model.name(),
              new ModelRepository.Unloaded(
                  model.versionNames(),
                  "not loaded at start (no --load-model " + model.name() + ")"));
        }
      }
      for (String missing : wanted) {
        repository.markBroken(
            missing,
            "--load-model names model '"
                + missing
                + "' but "
                + repository.root()
                + " has no such model");
      }
    }
    if (memoryBudgetBytes > 0) {
      for (ServedModel model : List.copyOf(repository.models())) {
        long need = sizeOnDisk(model);
        Optional<String> tooBig = overBudget(model.name(), need, false);
        if (tooBig.isPresent()) {
          // out of the served models, and broken: it should serve, so the server is not ready
          repository.withdraw(model.name(), new ModelRepository.Unloaded(List.of(), ""));
          repository.markBroken(model.name(), tooBig.get());
          LOG.severe(tooBig.get());
        } else {
          chargedBytes.put(model.name(), need);
        }
      }
    } else {
      repository.models().forEach(m -> chargedBytes.put(m.name(), sizeOnDisk(m)));
    }
    for (ServedModel model : repository.models()) {
      for (ModelVersion version : model.versions()) {
        events.versionLoaded(version, ModelRepository.loadVersion(loader, model, version));
      }
    }
  }

  /**
   * The repository index: every version of every served model, the models that are unloaded or
   * could not be loaded, and the model folders never loaded; sorted by name, then version.
   *
   * @param readyOnly only the READY versions
   */
  public List<IndexEntry> index(boolean readyOnly) {
    List<IndexEntry> entries = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ServedModel model : repository.models()) {
      seen.add(model.name());
      seen.add(model.folder().getFileName().toString());
      String lastFailure = lastLoadFailure.get(model.name());
      for (ModelVersion version : model.versions()) {
        String state =
            switch (version.state()) {
              case READY -> READY;
              case LOADING -> LOADING;
              case FAILED -> UNAVAILABLE;
            };
        String reason =
            version
                .failure()
                .or(
                    () ->
                        Optional.ofNullable(lastFailure)
                            .map(f -> "still serving; the last load failed: " + f))
                .orElse("");
        entries.add(new IndexEntry(model.name(), Optional.of(version.name()), state, reason));
      }
    }
    repository
        .unloadedModels()
        .forEach(
            (name, unloaded) -> {
              seen.add(name);
              if (unloaded.versions().isEmpty()) {
                entries.add(new IndexEntry(name, Optional.empty(), UNAVAILABLE, unloaded.reason()));
              }
              for (String version : unloaded.versions()) {
                entries.add(
                    new IndexEntry(name, Optional.of(version), UNAVAILABLE, unloaded.reason()));
              }
            });
    repository
        .brokenModels()
        .forEach(
            (name, reason) -> {
              seen.add(name);
              entries.add(new IndexEntry(name, Optional.empty(), UNAVAILABLE, reason));
            });
    for (Path folder : modelFolders()) {
      String name = folder.getFileName().toString();
      if (!seen.contains(name)) {
        entries.add(new IndexEntry(name, Optional.empty(), UNAVAILABLE, "not loaded"));
      }
    }
    entries.sort(
        Comparator.comparing(IndexEntry::name)
            .thenComparing(e -> e.version().orElse(""), VersionOrder.INSTANCE));
    return readyOnly ? entries.stream().filter(e -> e.state().equals(READY)).toList() : entries;
  }

  /**
   * Refuses Triton's load parameters, for REST and gRPC alike: its {@code config} and {@code
   * file:<path>} override a model's configuration or files for one load, and Skiff loads only what
   * the repository folder holds.
   */
  public static void refuseLoadParameters(String model, Collection<String> names) {
    if (!names.isEmpty()) {
      throw new RepositoryRefusal(
          RepositoryRefusal.Kind.UNSUPPORTED,
          "load parameters "
              + names.stream().sorted().toList()
              + " are not supported: Skiff loads model '"
              + model
              + "' from its folder in the repository; put the files there and load again");
    }
  }

  /**
   * Refuses unload parameters other than {@code unload_dependents}, which Triton's clients always
   * send: Skiff has no ensembles, so no model has dependents and the flag changes nothing.
   */
  public static void refuseUnloadParameters(Collection<String> names) {
    List<String> unsupported =
        names.stream().filter(n -> !n.equals("unload_dependents")).sorted().toList();
    if (!unsupported.isEmpty()) {
      throw new RepositoryRefusal(
          RepositoryRefusal.Kind.UNSUPPORTED,
          "unload parameters " + unsupported + " are not supported; only 'unload_dependents' is");
    }
  }

  /**
   * Loads, or reloads, the model called {@code name} from its folder (explicit mode only).
   *
   * @throws RepositoryRefusal for an unknown model, the wrong mode, a failed load or the budget
   */
  public synchronized void load(String name) {
    requireExplicit("load", name);
    Path folder =
        findFolder(name)
            .orElseThrow(
                () -> {
                  events.operation("load", false);
                  return unknown(name);
                });
    loadFolder(folder);
  }

  /**
   * Unloads the model called {@code name} (explicit mode only); requests running on it finish
   * first. Unloading a model that is known but not loaded does nothing, as in Triton.
   *
   * @throws RepositoryRefusal for an unknown model or the wrong mode
   */
  public synchronized void unload(String name) {
    requireExplicit("unload", name);
    boolean known =
        repository.model(name).isPresent()
            || repository.unloadedModels().containsKey(name)
            || repository.brokenModels().containsKey(name)
            || findFolder(name).isPresent();
    if (!known) {
      events.operation("unload", false);
      throw unknown(name);
    }
    unloadModel(name, "unloaded");
    events.operation("unload", true);
  }

  /** Poll mode: a model folder appeared or changed. Failures are recorded and logged. */
  synchronized void folderChanged(Path folder) {
    try {
      loadFolder(folder);
    } catch (RepositoryRefusal e) {
      // recorded for the index and logged by loadFolder
    }
  }

  /** Poll mode: a model folder was removed; the model served from it is unloaded. */
  synchronized void folderRemoved(String folderName) {
    Optional<ServedModel> served =
        repository.models().stream()
            .filter(m -> m.folder().getFileName().toString().equals(folderName))
            .findFirst();
    if (served.isPresent()) {
      unloadModel(served.get().name(), "its folder was removed from the repository");
      events.operation("unload", true);
    } else {
      repository.forget(folderName);
    }
  }

  private void loadFolder(Path folder) {
    String folderName = folder.getFileName().toString();
    ServedModel fresh;
    try {
      fresh = ModelRepository.readModel(folder, repository.backends());
    } catch (ModelLoadException e) {
      String servedFrom =
          repository.models().stream()
              .filter(m -> m.folder().getFileName().toString().equals(folderName))
              .map(ServedModel::name)
              .findFirst()
              .orElse(folderName);
      throw failed(servedFrom, RepositoryRefusal.Kind.LOAD_FAILED, e.getMessage());
    }
    String name = fresh.name();
    boolean serving = repository.model(name).isPresent();
    long need = sizeOnDisk(fresh);
    Optional<String> tooBig = overBudget(name, need, serving);
    if (tooBig.isPresent()) {
      throw failed(name, RepositoryRefusal.Kind.OVER_BUDGET, tooBig.get());
    }
    LOG.info(() -> (serving ? "reloading" : "loading") + " model '" + name + "' from " + folder);
    Map<ModelVersion, Double> seconds = new LinkedHashMap<>();
    for (ModelVersion version : fresh.versions()) {
      seconds.put(version, ModelRepository.loadVersion(loader, fresh, version));
      if (version.failure().isPresent()) {
        fresh.versions().forEach(ModelVersion::unload);
        throw failed(name, RepositoryRefusal.Kind.LOAD_FAILED, version.failure().get());
      }
    }
    Optional<ServedModel> old = repository.publish(fresh);
    chargedBytes.put(name, need);
    lastLoadFailure.remove(name);
    seconds.forEach(events::versionLoaded);
    old.ifPresent(
        m -> {
          Set<String> kept = new HashSet<>(fresh.versionNames());
          for (ModelVersion version : m.versions()) {
            version.unload();
            if (!kept.contains(version.name())) {
              events.versionUnloaded(name, version.name());
            }
          }
        });
    events.operation("load", true);
    LOG.info(() -> "model '" + name + "' serves versions " + fresh.versionNames());
  }

  private void unloadModel(String name, String reason) {
    Optional<ServedModel> served = repository.model(name);
    List<String> versions =
        served
            .map(ServedModel::versionNames)
            .or(
                () ->
                    Optional.ofNullable(repository.unloadedModels().get(name))
                        .map(ModelRepository.Unloaded::versions))
            .orElse(List.of());
    repository.withdraw(name, new ModelRepository.Unloaded(versions, reason));
    chargedBytes.remove(name);
    lastLoadFailure.remove(name);
    served.ifPresent(
        m ->
            m.versions()
                .forEach(
                    v -> {
                      v.unload();
                      events.versionUnloaded(name, v.name());
                    }));
    LOG.info(() -> "model '" + name + "' unloaded (" + reason + ")");
  }

  /**
   * Records a failed load: a model still serving keeps serving (the index says its last load
   * failed); one that is not serving becomes broken, so the server is not ready until it loads.
   */
  private RepositoryRefusal failed(String name, RepositoryRefusal.Kind kind, String message) {
    if (repository.model(name).isPresent()) {
      lastLoadFailure.put(name, message);
      LOG.warning("model '" + name + "' keeps serving; its load failed: " + message);
    } else {
      repository.markBroken(name, message);
      LOG.warning("model '" + name + "' failed to load: " + message);
    }
    events.operation("load", false);
    return new RepositoryRefusal(kind, message);
  }

  /**
   * Why a model of {@code need} bytes does not fit, if it does not. A reload counts the old copy
   * too: both are in memory until the requests on the old one finished.
   */
  private Optional<String> overBudget(String name, long need, boolean reload) {
    if (memoryBudgetBytes == 0) {
      return Optional.empty();
    }
    long used = chargedBytes.values().stream().mapToLong(Long::longValue).sum();
    if (used + need <= memoryBudgetBytes) {
      return Optional.empty();
    }
    return Optional.of(
        "model '"
            + name
            + "' needs about "
            + need
            + " bytes (the size of its files) but the memory budget (--model-memory-budget "
            + memoryBudgetBytes
            + ") has "
            + Math.max(0, memoryBudgetBytes - used)
            + " left; "
            + used
            + " are held by "
            + chargedBytes.keySet().stream().sorted().toList()
            + (reload ? " (a reload holds the old and the new copy at once)" : "")
            + "; unload a model first or raise the budget");
  }

  private void requireExplicit(String operation, String name) {
    if (mode != ModelControlMode.EXPLICIT) {
      events.operation(operation, false);
      throw new RepositoryRefusal(
          RepositoryRefusal.Kind.MODE,
          "cannot "
              + operation
              + " model '"
              + name
              + "': the server runs with --model-control="
              + mode.flag()
              + "; explicit load and unload need --model-control=explicit"
              + (mode == ModelControlMode.POLL
                  ? " (in poll mode, change the repository folder instead)"
                  : ""));
    }
  }

  private RepositoryRefusal unknown(String name) {
    return new RepositoryRefusal(
        RepositoryRefusal.Kind.UNKNOWN_MODEL,
        "model '"
            + name
            + "' not found: "
            + repository.root()
            + " has no folder with a "
            + ModelRepository.SETTINGS_FILE
            + " for it; its model folders are "
            + modelFolders().stream().map(p -> p.getFileName().toString()).toList());
  }

  /** The folder of model {@code name}: the folder of that name, else one whose settings name it. */
  private Optional<Path> findFolder(String name) {
    List<Path> folders = modelFolders();
    for (Path folder : folders) {
      if (folder.getFileName().toString().equals(name)) {
        return Optional.of(folder);
      }
    }
    for (Path folder : folders) {
      try {
        if (ModelRepository.readModel(folder, repository.backends()).name().equals(name)) {
          return Optional.of(folder);
        }
      } catch (ModelLoadException e) {
        // a broken folder names no model
      }
    }
    return Optional.empty();
  }

  /** The repository's model folders (holding a model.yaml), sorted. */
  List<Path> modelFolders() {
    try (Stream<Path> list = Files.list(repository.root())) {
      return list.filter(Files::isDirectory)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(p -> Files.isRegularFile(p.resolve(ModelRepository.SETTINGS_FILE)))
          .sorted()
          .toList();
    } catch (IOException e) {
      LOG.warning("cannot list " + repository.root() + ": " + e);
      return List.of();
    }
  }

  /** The memory estimate of a model: the bytes of the files in its version folders. */
  static long sizeOnDisk(ServedModel model) {
    long total = 0;
    for (ModelVersion version : model.versions()) {
      try (Stream<Path> files = Files.walk(version.directory())) {
        total +=
            files
                .filter(Files::isRegularFile)
                .mapToLong(
                    f -> {
                      try {
                        return Files.size(f);
                      } catch (IOException e) {
                        throw new UncheckedIOException(e);
                      }
                    })
                .sum();
      } catch (IOException | UncheckedIOException e) {
        // a file that vanished while counting: the load reports the folder's real problem
      }
    }
    return total;
  }
}
