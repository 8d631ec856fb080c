package dev.skiff.runtime.backend.dl4j;

import dev.skiff.runtime.model.ModelRepository;
import dev.skiff.runtime.model.ModelSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Names for a MultiLayerNetwork's one input and one output. Such a network has no tensor names of
 * its own, so it takes the name model.yaml declares when it declares exactly one, else {@code
 * input} and {@code output}. (A ComputationGraph keeps its vertex names: there a declared name that
 * differs is a mismatch like any other.)
 *
 * @param input the input's name
 * @param output the output's name
 */
record DeclaredNames(String input, String output) {
  static final DeclaredNames DEFAULT = new DeclaredNames("input", "output");

  /** Reads {@code <model>/model.yaml} for a model file at {@code <model>/<version>/<file>}. */
  static DeclaredNames of(Path modelFile) {
    Path versionDir = modelFile.toAbsolutePath().getParent();
    Path settingsFile =
        versionDir == null || versionDir.getParent() == null
            ? null
            : versionDir.getParent().resolve(ModelRepository.SETTINGS_FILE);
    if (settingsFile == null || !Files.isRegularFile(settingsFile)) {
      return DEFAULT;
    }
    ModelSettings settings = ModelRepository.readSettings(settingsFile);
    return new DeclaredNames(
        single(settings.inputs(), DEFAULT.input()), single(settings.outputs(), DEFAULT.output()));
  }

  private static String single(List<ModelSettings.TensorSettings> declared, String fallback) {
    return declared.size() == 1 && declared.get(0).name() != null
        ? declared.get(0).name()
        : fallback;
  }
}
