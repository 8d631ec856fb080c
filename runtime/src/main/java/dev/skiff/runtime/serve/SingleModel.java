package dev.skiff.runtime.serve;

import dev.skiff.runtime.model.ModelRepository;
import dev.skiff.runtime.model.ServedModel;
import dev.skiff.runtime.web.ApiException;

/** The model a path without a model name means: the only one served, as the seed app's aliases. */
final class SingleModel {
  private SingleModel() {}

  /**
   * @throws ApiException 404 when the server has more than one model, naming them
   */
  static String name(ModelRepository repository, String path, String action) {
    var models = repository.models();
    if (models.size() != 1) {
      throw ApiException.notFound(
          "POST "
              + path
              + " works when exactly one model is served; this server has "
              + models.stream().map(ServedModel::name).toList()
              + ": use /v1/models/<model>/"
              + action);
    }
    return models.iterator().next().name();
  }
}
