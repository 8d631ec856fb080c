package dev.skiff.runtime.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.skiff.api.contract.ContractYaml;
import dev.skiff.api.contract.Datatype;
import dev.skiff.api.contract.ModelSettingsFile;
import dev.skiff.runtime.backend.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a model.yaml into the contract's {@link ModelSettingsFile}, turning the parser's errors
 * into messages that name the file, the key and what is allowed (unknown keys are errors, so a typo
 * does not pass silently).
 */
public final class SettingsReader {

  private SettingsReader() {}

  /**
   * Parses one model.yaml, after checking its size: a file over {@link ContractYaml#MAX_FILE_BYTES}
   * is refused before a byte of it is read.
   *
   * @throws ModelLoadException when the file cannot be read, is too large, is empty or is not valid
   *     settings
   */
  public static ModelSettingsFile read(Path file) {
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > ContractYaml.MAX_FILE_BYTES) {
        throw tooLarge(file.toString(), size);
      }
      try (InputStream in = Files.newInputStream(file)) {
        // bounded as well: the file may have grown since, and no more than the cap is held
        bytes = in.readNBytes(ContractYaml.MAX_FILE_BYTES + 1);
      }
    } catch (IOException e) {
      throw new ModelLoadException(file + " cannot be read: " + e.getMessage(), e);
    }
    return parse(bytes, file.toString());
  }

  /** Parses model.yaml text; {@code source} names it in messages. */
  public static ModelSettingsFile parse(byte[] yaml, String source) {
    if (yaml.length > ContractYaml.MAX_FILE_BYTES) {
      throw tooLarge(source, yaml.length);
    }
    ModelSettingsFile settings;
    try {
      settings = ContractYaml.read(yaml, ModelSettingsFile.class);
    } catch (UnrecognizedPropertyException e) {
      throw new ModelLoadException(
          source
              + ": unknown key '"
              + e.getPropertyName()
              + "'; known keys are "
              + e.getKnownPropertyIds(),
          e);
    } catch (InvalidFormatException e) {
      throw new ModelLoadException(source + ": " + invalidValue(e), e);
    } catch (JsonProcessingException e) {
      throw new ModelLoadException(
          source + " is not valid model settings: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ModelLoadException(source + " cannot be read: " + e.getMessage(), e);
    }
    if (settings == null) {
      throw new ModelLoadException(source + " is empty");
    }
    return settings;
  }

  private static ModelLoadException tooLarge(String source, long size) {
    return new ModelLoadException(
        source
            + " is "
            + size
            + " bytes; model.yaml may be at most "
            + ContractYaml.MAX_FILE_BYTES
            + " bytes (1 MiB)");
  }

  /** {@code inputs[0].datatype 'FP33' is not one of [BOOL, ...]}. */
  private static String invalidValue(InvalidFormatException e) {
    String allowed =
        e.getTargetType() == Datatype.class
            ? " is not one of " + Arrays.toString(Datatype.values())
            : " is not a " + e.getTargetType().getSimpleName();
    return path(e.getPath()) + " '" + e.getValue() + "'" + allowed;
  }

  private static String path(List<JsonMappingException.Reference> refs) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : refs) {
      if (ref.getFieldName() != null) {
        path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }
}
