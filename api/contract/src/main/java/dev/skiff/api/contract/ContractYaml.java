package dev.skiff.api.contract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes and reads the contract's files ({@link ModelSettingsFile}, {@link RouterConfigFile}) with
 * one Jackson configuration, so what the operator writes is what the runtime parses. Reading is
 * strict: unknown keys, duplicate keys and nulls for numbers are errors, so a typo does not pass
 * silently. Turning Jackson's exceptions into messages for people is the reader's job: it knows
 * which file it was.
 */
public final class ContractYaml {

  private static final ObjectMapper WRITER =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .build());

  private static final ObjectMapper READER =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private ContractYaml() {}

  /** The YAML text of a contract record, keys in the record's order, absent keys left out. */
  public static String write(Object file) {
    try {
      return WRITER.writeValueAsString(file);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parses a contract file.
   *
   * @return the record, or null when the text holds no document (empty, or only comments)
   * @throws IOException a Jackson exception that names the key or value at fault
   */
  public static <T> T read(byte[] yaml, Class<T> type) throws IOException {
    try (JsonParser parser = READER.createParser(yaml)) {
      if (parser.nextToken() == null) {
        return null; // no document: empty, or only comments
      }
      return READER.readValue(parser, type);
    }
  }
}
