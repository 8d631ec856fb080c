package dev.skiff.api.contract;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Writes and reads the contract's files ({@link ModelSettingsFile}, {@link RouterConfigFile}) with
 * one Jackson configuration, so what the operator writes is what the runtime parses. Reading is
 * strict: unknown keys, duplicate keys and nulls for numbers are errors, so a typo does not pass
 * silently; files over {@link #MAX_FILE_BYTES}, nested deeper than {@link #MAX_NESTING_DEPTH} or
 * with aliases are refused before they can cost time or memory. Turning Jackson's exceptions into
 * messages for people is the reader's job: it knows which file it was.
 */
public final class ContractYaml {

  private static final ObjectMapper WRITER =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .build());

  /**
   * The largest contract file read, in bytes (1 MiB). The operator ships model.yaml and router.yaml
   * in ConfigMaps, whose data Kubernetes caps at 1 MiB, so no file it writes is larger, and a
   * hand-written one is tens of KiB even with a thousand labels. Without a cap a 20 MiB one-line
   * value kept SnakeYAML scanning for a minute and a half (98 s measured) before its own 3 Mi
   * code-point limit stopped it; at the cap the same shape takes about a second.
   */
  public static final int MAX_FILE_BYTES = 1 << 20;

  /**
   * How deep mappings and lists may nest. The deepest contract key is three levels down ({@code
   * inputs[0].shape[0]}); Jackson's default of 1000 only guards the stack.
   */
  public static final int MAX_NESTING_DEPTH = 32;

  private static final ObjectMapper READER =
      new ObjectMapper(
              YAMLFactory.builder()
                  .loaderOptions(loaderOptions())
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                  .build())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /**
   * SnakeYAML's code-point limit (default 3 Mi), matched to the byte cap: UTF-8 has no fewer bytes
   * than code points. Its alias and nesting limits are the composer's, which Jackson does not use;
   * the stream constraints and {@link #refuseAliases} stand in for them.
   */
  private static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_FILE_BYTES);
    return options;
  }

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
   * @throws IOException a Jackson exception that names the key or value at fault, or the limit
   */
  public static <T> T read(byte[] yaml, Class<T> type) throws IOException {
    if (yaml.length > MAX_FILE_BYTES) {
      throw new StreamConstraintsException(
          "the file is "
              + yaml.length
              + " bytes, over the limit of "
              + MAX_FILE_BYTES
              + " bytes (1 MiB)");
    }
    refuseAliases(yaml);
    try (JsonParser parser = READER.createParser(yaml)) {
      if (parser.nextToken() == null) {
        return null; // no document: empty, or only comments
      }
      return READER.readValue(parser, type);
    }
  }

  /**
   * A first pass over the tokens that refuses YAML aliases ({@code *name}). Jackson does not expand
   * them: it reads an alias as the text of its anchor's name, so {@code [&a x, *a]} would silently
   * be {@code [x, a]}; and a file that needs one (a billion-laughs file does) is not one the
   * operator writes. Refusing them also means no alias bomb can grow in a later parser.
   */
  private static void refuseAliases(byte[] yaml) throws IOException {
    try (YAMLParser parser = (YAMLParser) READER.createParser(yaml)) {
      while (parser.nextToken() != null) {
        if (parser.isCurrentAlias()) {
          JsonLocation at = parser.currentTokenLocation();
          throw new JsonParseException(
              parser,
              "YAML aliases are not supported: '*"
                  + parser.getText()
                  + "' at line "
                  + at.getLineNr()
                  + ", column "
                  + at.getColumnNr()
                  + "; write the value out");
        }
      }
    }
  }
}
