package dev.skiff.runtime.backend;

import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A model format the runtime can serve (ONNX, Deeplearning4j, ...). Implementations are found with
 * {@link ServiceLoader}, so a backend is added by putting its jar on the class path.
 */
public interface BackendProvider {

  /** The format name used in model.yaml ({@code format: onnx}). */
  String format();

  /** File name suffixes this backend loads, used to infer the format and find the model file. */
  List<String> fileSuffixes();

  /**
   * Loads a model file.
   *
   * @param declared what model.yaml declares for it (names a file without its own may use)
   * @throws ModelLoadException when the file is not a usable model
   */
  ModelSession load(Path modelFile, BackendOptions options, DeclaredTensors declared);
}
