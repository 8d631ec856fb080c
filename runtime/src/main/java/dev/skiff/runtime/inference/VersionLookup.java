package dev.skiff.runtime.inference;

import dev.skiff.runtime.model.ModelRepository;
import dev.skiff.runtime.model.ModelVersion;
import dev.skiff.runtime.model.ServedModel;
import dev.skiff.runtime.model.ServingVersion;
import dev.skiff.runtime.web.ApiException;

/** Finds the version a request names, with the 404 and 503 answers a client can act on. */
public final class VersionLookup {
  private final ModelRepository repository;

  public VersionLookup(ModelRepository repository) {
    this.repository = repository;
  }

  public ModelRepository repository() {
    return repository;
  }

  /**
   * The served model called {@code model}.
   *
   * @throws ApiException 404 naming the models this server has
   */
  public ServedModel model(String model) {
    return repository
        .model(model)
        .orElseThrow(
            () ->
                ApiException.notFound(
                    "model '"
                        + model
                        + "' not found; this server has "
                        + repository.models().stream().map(ServedModel::name).toList()));
  }

  /**
   * A model version; {@code version} null means the model's default.
   *
   * @throws ApiException 404 for an unknown model or version
   */
  public ModelVersion resolve(String model, String version) {
    ServedModel served = model(model);
    if (version == null) {
      return served.defaultVersion();
    }
    return served
        .version(version)
        .orElseThrow(
            () ->
                ApiException.notFound(
                    "model '"
                        + model
                        + "' has no version '"
                        + version
                        + "'; it has "
                        + served.versionNames()));
  }

  /**
   * The version as requests use it.
   *
   * @throws ApiException 503 while it is loading or after it failed to load
   */
  public static ServingVersion ready(ModelVersion version) {
    return version
        .serving()
        .orElseThrow(
            () ->
                ApiException.unavailable(
                    "model '"
                        + version.modelName()
                        + "' version '"
                        + version.name()
                        + "' is not ready"
                        + version.failure().map(f -> ": " + f).orElse(" (still loading)")));
  }

  /**
   * The version as one request uses it, held open until the caller's {@link ServingVersion#exit}:
   * unloading or replacing the version meanwhile waits for this request before closing it.
   *
   * @throws ApiException 503 while it is loading, after it failed to load, or when it was unloaded
   *     or replaced between the lookup and now (a retry finds the current version)
   */
  public static ServingVersion enter(ModelVersion version) {
    ServingVersion ready = ready(version);
    if (!ready.enter()) {
      throw ApiException.unavailable(ready.describe() + " was just unloaded or replaced; retry", 1);
    }
    return ready;
  }
}
