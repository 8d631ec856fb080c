package dev.skiff.runtime.backend.dl4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.api.contract.ModelFormat;
import dev.skiff.runtime.backend.BackendOptions;
import dev.skiff.runtime.backend.BackendProvider;
import dev.skiff.runtime.backend.DeclaredTensors;
import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.backend.ModelSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;

/**
 * Serves Keras HDF5 models ({@code format: keras}, {@code .h5}/{@code .hdf5}) through
 * Deeplearning4j's Keras import: a Sequential model becomes a MultiLayerNetwork, a functional model
 * a ComputationGraph named after its Keras input and output layers. Training configuration is not
 * enforced, so a model saved with an optimizer DL4J does not know still loads for inference.
 */
public final class KerasBackendProvider implements BackendProvider {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String format() {
    return ModelFormat.KERAS.value();
  }

  @Override
  public List<String> fileSuffixes() {
    return List.of(".h5", ".hdf5");
  }

  @Override
  public ModelSession load(Path modelFile, BackendOptions options, DeclaredTensors declared) {
    Nd4jSetup.configure(options, modelFile);
    String file = modelFile.getFileName().toString();
    if (!Files.isReadable(modelFile)) {
      throw new ModelLoadException("cannot read Keras model " + file);
    }
    String path = modelFile.toAbsolutePath().toString();
    Dl4jNetwork network;
    try {
      if (isSequential(path)) {
        network =
            Dl4jNetwork.of(
                KerasModelImport.importKerasSequentialModelAndWeights(path, false),
                DeclaredNames.of(declared));
      } else {
        network = Dl4jNetwork.of(KerasModelImport.importKerasModelAndWeights(path, false));
      }
    } catch (ModelLoadException e) {
      throw e;
    } catch (Exception | LinkageError e) {
      throw new ModelLoadException(
          "Deeplearning4j's Keras import could not load " + file + ": " + Nd4jSetup.reason(e), e);
    }
    return new Dl4jModelSession("keras_hdf5", network, file);
  }

  /** Reads the {@code model_config} attribute's class name: Sequential or a functional Model. */
  private static boolean isSequential(String path) throws Exception {
    String config;
    // Hdf5Archive is not safe for concurrent use; DL4J guards HDF5 with this global lock.
    synchronized (Hdf5Archive.LOCK_OBJECT) {
      try (Hdf5Archive archive = new Hdf5Archive(path)) {
        if (!archive.hasAttribute("model_config")) {
          throw new ModelLoadException(
              Path.of(path).getFileName()
                  + " has no 'model_config' attribute; save the whole model (model.save(...)),"
                  + " not only its weights");
        }
        config = archive.readAttributeAsJson("model_config");
      }
    }
    JsonNode className = JSON.readTree(config).path("class_name");
    return className.asText().equals("Sequential");
  }
}
