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
   * Parses one model.yaml.
   *
   * @throws ModelLoadException when the file cannot be read, is empty or is not valid settings
   */
  public static ModelSettingsFile read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ModelLoadException(file + " cannot be read: " + e.getMessage(), e);
    }
    return parse(bytes, file.toString());
  }

  /** Parses model.yaml text; {@code source} names it in messages. */
  public static ModelSettingsFile parse(byte[] yaml, String source) {
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
