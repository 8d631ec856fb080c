package dev.skiff.runtime.backend.dl4j;

import dev.skiff.api.contract.ModelFormat;
import dev.skiff.runtime.backend.BackendOptions;
import dev.skiff.runtime.backend.BackendProvider;
import dev.skiff.runtime.backend.DeclaredTensors;
import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.backend.ModelSession;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Serves Deeplearning4j ModelSerializer zips ({@code format: dl4j}). Whether the zip holds a
 * MultiLayerNetwork or a ComputationGraph is read from its {@code configuration.json} before
 * restoring, so the right restore method runs and a zip that is neither fails with a clear reason.
 */
public final class Dl4jBackendProvider implements BackendProvider {

  @Override
  public String format() {
    return ModelFormat.DL4J.value();
  }

  @Override
  public List<String> fileSuffixes() {
    return List.of(".zip");
  }

  @Override
  public ModelSession load(Path modelFile, BackendOptions options, DeclaredTensors declared) {
    Nd4jSetup.configure(options, modelFile);
    String file = modelFile.getFileName().toString();
    Dl4jNetwork network;
    try {
      network =
          switch (ZipConfiguration.kindOf(modelFile)) {
            case MULTI_LAYER ->
                Dl4jNetwork.of(
                    ModelSerializer.restoreMultiLayerNetwork(modelFile.toFile(), false),
                    DeclaredNames.of(declared));
            case GRAPH ->
                Dl4jNetwork.of(ModelSerializer.restoreComputationGraph(modelFile.toFile(), false));
          };
    } catch (IOException | RuntimeException e) {
      if (e instanceof ModelLoadException loadException) {
        throw loadException;
      }
      throw new ModelLoadException(
          "Deeplearning4j could not restore " + file + ": " + Nd4jSetup.reason(e), e);
    }
    return new Dl4jModelSession("dl4j_zip", network, file);
  }
}
