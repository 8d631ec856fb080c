package dev.skiff.runtime.backend.dl4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.runtime.backend.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads {@code configuration.json} from a ModelSerializer zip to tell a MultiLayerNetwork from a
 * ComputationGraph: DL4J's own restore methods assume the caller knows, and fail with a confusing
 * JSON error when guessed wrong.
 */
final class ZipConfiguration {
  static final String ENTRY = "configuration.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  enum Kind {
    MULTI_LAYER,
    GRAPH
  }

  private ZipConfiguration() {}

  static Kind kindOf(Path zip) {
    String file = zip.getFileName().toString();
    try (ZipFile archive = new ZipFile(zip.toFile())) {
      ZipEntry entry = archive.getEntry(ENTRY);
      if (entry == null) {
        throw new ModelLoadException(
            file + " is not a Deeplearning4j ModelSerializer zip: it has no " + ENTRY);
      }
      JsonNode config;
      try (InputStream in = archive.getInputStream(entry)) {
        config = JSON.readTree(in);
      }
      if (config != null && config.has("vertices")) {
        return Kind.GRAPH;
      }
      if (config != null && config.has("confs")) {
        return Kind.MULTI_LAYER;
      }
      throw new ModelLoadException(
          file
              + ": "
              + ENTRY
              + " describes neither a MultiLayerNetwork ('confs') nor a ComputationGraph"
              + " ('vertices')");
    } catch (IOException e) {
      throw new ModelLoadException(
          file + " is not a readable Deeplearning4j ModelSerializer zip: " + e.getMessage(), e);
    }
  }
}
