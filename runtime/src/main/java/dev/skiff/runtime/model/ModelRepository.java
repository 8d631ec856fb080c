package dev.skiff.runtime.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.skiff.runtime.backend.BackendOptions;
import dev.skiff.runtime.backend.BackendProvider;
import dev.skiff.runtime.backend.ModelSession;
import dev.skiff.runtime.tensor.Datatype;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.tensor.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A folder of models laid out as {@code <repo>/<model>/model.yaml} and {@code
 * <repo>/<model>/<version>/<model file>}. {@link #open} reads the layout (fast, and fails for a
 * missing or empty repository); {@link #loadAll} then loads and warms every version, recording a
 * failure per version so the other models still load.
 */
public final class ModelRepository implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ModelRepository.class.getName());
  public static final String SETTINGS_FILE = "model.yaml";

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private final Path root;
  private final Map<String, ServedModel> models;
  private final Map<String, String> brokenModels;
  private final List<BackendProvider> backends;

  private ModelRepository(
      Path root,
      Map<String, ServedModel> models,
      Map<String, String> brokenModels,
      List<BackendProvider> backends) {
    this.root = root;
    this.models = models;
    this.brokenModels = brokenModels;
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

  private static ServedModel readModel(Path folder, List<BackendProvider> backends) {
    String folderName = folder.getFileName().toString();
    Path settingsFile = folder.resolve(SETTINGS_FILE);
    ModelSettings settings;
    if (Files.isRegularFile(settingsFile)) {
      settings = readSettings(settingsFile);
    } else {
      throw new ModelLoadException("model folder '" + folderName + "' has no " + SETTINGS_FILE);
    }
    String name = settings.name() == null ? folderName : settings.name();
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
      throw new ModelLoadException(
          "model name '" + name + "' must be 1-128 letters, digits, '.', '_' or '-'");
    }
    String where = "model '" + name + "'";
    if (settings.limits() != null) {
      settings.limits().check(where);
    }
    // Parse declared tensors now so a typo in model.yaml stops the model before any loading.
    ModelSettings.toSpecs(settings.inputs(), where);
    ModelSettings.toSpecs(settings.outputs(), where);
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
    return new ServedModel(name, settings, versions, defaultVersion);
  }

  /** Parses one model.yaml; unknown keys are errors so a typo does not pass silently. */
  public static ModelSettings readSettings(Path file) {
    try {
      ModelSettings settings = YAML.readValue(file.toFile(), ModelSettings.class);
      if (settings == null) {
        throw new ModelLoadException(file + " is empty");
      }
      return settings;
    } catch (UnrecognizedPropertyException e) {
      throw new ModelLoadException(
          file
              + ": unknown key '"
              + e.getPropertyName()
              + "'; known keys are "
              + e.getKnownPropertyIds(),
          e);
    } catch (IOException e) {
      throw new ModelLoadException(file + " is not valid model settings: " + e.getMessage(), e);
    }
  }

  /**
   * Loads, checks and warms up every version, one at a time; {@code onLoaded} hears about each
   * version once it is READY or FAILED.
   */
  public void loadAll(BackendOptions options, BiConsumer<ModelVersion, Double> onLoaded) {
    for (ServedModel model : models.values()) {
      for (ModelVersion version : model.versions()) {
        long start = System.nanoTime();
        try {
          version.markReady(load(model, version, options, start));
          LOG.info(
              () ->
                  "model '"
                      + model.name()
                      + "' version '"
                      + version.name()
                      + "' ready in "
                      + version.loaded().orElseThrow().loadSeconds()
                      + " s");
        } catch (ModelLoadException | UncheckedIOException e) {
          version.markFailed(e.getMessage());
          LOG.severe(e.getMessage());
        } catch (RuntimeException e) {
          version.markFailed(describe(model, version) + ": " + e);
          LOG.log(Level.SEVERE, describe(model, version) + " failed to load", e);
        }
        onLoaded.accept(version, (System.nanoTime() - start) / 1e9);
      }
    }
  }

  private ModelVersion.Loaded load(
      ServedModel model, ModelVersion version, BackendOptions options, long start) {
    String where = describe(model, version);
    Path file = findModelFile(model, version, where);
    BackendProvider backend = backendFor(model.settings(), file, where);
    ModelSession session = backend.load(file, options);
    try {
      List<TensorSpec> inputs =
          SchemaCheck.effective(
              where,
              "input",
              ModelSettings.toSpecs(model.settings().inputs(), where),
              session.inputs());
      List<TensorSpec> outputs =
          SchemaCheck.effective(
              where,
              "output",
              ModelSettings.toSpecs(model.settings().outputs(), where),
              session.outputs());
      if (model.settings().batching() != null) {
        model.settings().batching().check(where, inputs, outputs);
      }
      if (model.settings().preprocess() != null) {
        model.settings().preprocess().check(where, inputs);
      }
      if (model.settings().postprocess() != null) {
        model.settings().postprocess().check(where, outputs, model.settings().labels());
      }
      warmUp(session, inputs, outputs, where);
      return new ModelVersion.Loaded(
          session, backend.format(), inputs, outputs, (System.nanoTime() - start) / 1e9);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  private Path findModelFile(ServedModel model, ModelVersion version, String where) {
    List<Path> candidates;
    try (Stream<Path> list = Files.list(version.directory())) {
      candidates =
          list.filter(Files::isRegularFile)
              .filter(f -> suffixBackend(f).isPresent())
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new ModelLoadException(where + ": cannot list " + version.directory() + ": " + e, e);
    }
    if (model.settings().format() != null) {
      candidates =
          candidates.stream()
              .filter(
                  f -> suffixBackend(f).orElseThrow().format().equals(model.settings().format()))
              .toList();
    }
    if (candidates.isEmpty()) {
      throw new ModelLoadException(
          where
              + ": no model file in "
              + version.directory()
              + "; expected one ending in "
              + backends.stream().flatMap(b -> b.fileSuffixes().stream()).toList());
    }
    if (candidates.size() > 1) {
      throw new ModelLoadException(
          where
              + ": more than one model file in "
              + version.directory()
              + ": "
              + candidates.stream().map(p -> p.getFileName().toString()).toList());
    }
    return candidates.get(0);
  }

  private BackendProvider backendFor(ModelSettings settings, Path file, String where) {
    return suffixBackend(file)
        .orElseThrow(() -> new ModelLoadException(where + ": no backend loads " + file));
  }

  private Optional<BackendProvider> suffixBackend(Path file) {
    String fileName = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    return backends.stream()
        .filter(b -> b.fileSuffixes().stream().anyMatch(fileName::endsWith))
        .findFirst();
  }

  /**
   * One inference on zeros (every open dimension set to 1) so the first client request does not pay
   * for lazy initialisation, and so a model that cannot run is caught before it is ready.
   */
  private static void warmUp(
      ModelSession session, List<TensorSpec> inputs, List<TensorSpec> outputs, String where) {
    List<Tensor> zeros = new ArrayList<>();
    for (TensorSpec spec : inputs) {
      long[] shape = spec.shape();
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shape[i] < 0 ? 1 : shape[i];
      }
      int count = Math.toIntExact(Tensor.elementCount(shape));
      if (spec.datatype() == Datatype.BYTES) {
        byte[][] empty = new byte[count][];
        java.util.Arrays.fill(empty, new byte[0]);
        zeros.add(Tensor.ofStrings(spec.name(), shape, empty));
      } else {
        ByteBuffer buffer =
            ByteBuffer.allocateDirect(count * spec.datatype().byteSize())
                .order(ByteOrder.nativeOrder());
        zeros.add(Tensor.ofBuffer(spec.name(), spec.datatype(), shape, buffer));
      }
    }
    Set<String> outputNames = outputs.stream().map(TensorSpec::name).collect(Collectors.toSet());
    try {
      session.run(zeros, outputNames);
    } catch (Exception e) {
      throw new ModelLoadException(where + ": warm-up inference failed: " + e.getMessage(), e);
    }
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

  /** Model folders that could not be read, with the reason, by folder name. */
  public Map<String, String> brokenModels() {
    return Map.copyOf(brokenModels);
  }

  /** True when every model folder was readable and every version is loaded and warmed up. */
  public boolean isReady() {
    return brokenModels.isEmpty() && models.values().stream().allMatch(ServedModel::isReady);
  }

  @Override
  public void close() {
    models.values().forEach(m -> m.versions().forEach(ModelVersion::unload));
  }
}
