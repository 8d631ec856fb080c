package dev.skiff.runtime.model;

import dev.skiff.api.contract.Datatype;
import dev.skiff.api.contract.ModelSettingsFile;
import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.tensor.TensorSpec;
import dev.skiff.runtime.text.Tokens;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How text becomes a model's input tensors (model.yaml's {@code preprocess} with {@code type:
 * text}, docs/text.md), with every default applied and every value checked when the repository is
 * opened; {@link #checkContract} holds them to the loaded model's inputs.
 *
 * @param tokenizer the tokenizer file's name in the version folder
 * @param maxLength most tokens per text, special tokens included
 * @param truncation cut longer texts to {@code maxLength}; when false they are refused
 * @param padding how the texts of one request are padded to one length
 */
public record TextSettings(String tokenizer, int maxLength, boolean truncation, Padding padding) {

  /** model.yaml's {@code padding}. */
  public enum Padding {
    /** {@code padding: longest}: to the longest text of the request. */
    LONGEST,
    /** {@code padding: max-length}: every text to {@code maxLength} tokens. */
    MAX_LENGTH,
    /**
     * No {@code padding} given: {@code max-length} when the model's token dimension is fixed,
     * {@code longest} when it is dynamic (-1), whether or not the model batches, since the batcher
     * pads each batch to its longest request ({@link dev.skiff.runtime.execution.BatchPadding}).
     */
    BY_MODEL
  }

  private static final int DEFAULT_MAX_LENGTH = 128;
  private static final int MOST_TOKENS = 8192;

  /** A plain file name: the tokenizer must sit in the version folder, not elsewhere. */
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  /**
   * The most UTF-8 bytes one text may have: far beyond what {@code maxLength} tokens of any real
   * text take (a WordPiece or BPE token is a few bytes), so truncation never sees it, but a
   * megabyte "review" is refused before the tokenizer spends time on it.
   */
  public int maxTextBytes() {
    return 64 * maxLength;
  }

  /**
   * Checks and converts model.yaml's {@code preprocess} of {@code type: text}.
   *
   * @throws ModelLoadException naming the key that is wrong and why
   */
  static TextSettings from(ModelSettingsFile.Preprocess file, String where) {
    String at = where + ": preprocess";
    Map<String, Object> imageKeys = new LinkedHashMap<>();
    imageKeys.put("input", file.input());
    imageKeys.put("size", file.size());
    imageKeys.put("resize", file.resize());
    imageKeys.put("channels", file.channels());
    imageKeys.put("scale", file.scale());
    imageKeys.put("mean", file.mean());
    imageKeys.put("std", file.std());
    imageKeys.put("layout", file.layout());
    List<String> misplaced =
        imageKeys.entrySet().stream()
            .filter(e -> e.getValue() != null)
            .map(Map.Entry::getKey)
            .toList();
    if (!misplaced.isEmpty()) {
      throw new ModelLoadException(
          at
              + " of type text takes tokenizer, maxLength, truncation and padding; "
              + misplaced
              + " are image keys (docs/text.md)");
    }
    String tokenizer = file.tokenizer() == null ? "tokenizer.json" : file.tokenizer();
    if (!FILE_NAME.matcher(tokenizer).matches()) {
      throw new ModelLoadException(
          at
              + ".tokenizer must be a file name in the version folder (letters, digits, '.', '_',"
              + " '-'), found '"
              + tokenizer
              + "'");
    }
    int maxLength = file.maxLength() == null ? DEFAULT_MAX_LENGTH : file.maxLength();
    if (maxLength < 1 || maxLength > MOST_TOKENS) {
      throw new ModelLoadException(
          at + ".maxLength must be within 1.." + MOST_TOKENS + ", found " + maxLength);
    }
    Padding padding;
    if (file.padding() == null) {
      padding = Padding.BY_MODEL;
    } else {
      padding =
          switch (file.padding().toLowerCase(Locale.ROOT)) {
            case "longest" -> Padding.LONGEST;
            case "max-length" -> Padding.MAX_LENGTH;
            default ->
                throw new ModelLoadException(
                    at
                        + ".padding must be one of [longest, max-length], found '"
                        + file.padding()
                        + "'");
          };
    }
    return new TextSettings(
        tokenizer, maxLength, file.truncation() == null || file.truncation(), padding);
  }

  /**
   * Whether the tokenizer pads every text to {@code maxLength} for a model with these inputs: as
   * {@code padding} says, or, when it says nothing, exactly when a token dimension is fixed.
   */
  public boolean padsToMaxLength(List<TensorSpec> inputs) {
    return switch (padding) {
      case LONGEST -> false;
      case MAX_LENGTH -> true;
      case BY_MODEL -> inputs.stream().anyMatch(spec -> spec.rank() == 2 && spec.dim(1) != -1);
    };
  }

  /**
   * Holds the settings to the loaded model's inputs: {@code input_ids}, optionally {@code
   * attention_mask} and {@code token_type_ids}, nothing else, each INT64 {@code [batch, tokens]}; a
   * fixed token dimension needs {@code padding: max-length} (or none) and that {@code maxLength}.
   *
   * @throws ModelLoadException naming the input that does not fit and why
   */
  void checkContract(String where, List<TensorSpec> inputs) {
    String at = where + ": preprocess (type text)";
    boolean padToMaxLength = padsToMaxLength(inputs);
    List<String> names = inputs.stream().map(TensorSpec::name).toList();
    if (!names.contains(Tokens.INPUT_IDS)) {
      throw new ModelLoadException(
          at + " fills input_ids, attention_mask and token_type_ids; the model has " + names);
    }
    for (TensorSpec spec : inputs) {
      if (!Tokens.INPUT_NAMES.contains(spec.name())) {
        throw new ModelLoadException(
            at
                + " fills input_ids, attention_mask and token_type_ids, but the model also has"
                + " input '"
                + spec.name()
                + "'");
      }
      if (spec.datatype() != Datatype.INT64 || spec.rank() != 2) {
        throw new ModelLoadException(
            at + " makes INT64 [batch, tokens] tensors, but input " + spec + " is not one");
      }
      long tokens = spec.dim(1);
      if (tokens != -1 && (!padToMaxLength || tokens != maxLength)) {
        throw new ModelLoadException(
            at
                + ": input "
                + spec
                + " takes exactly "
                + tokens
                + " tokens; set padding: max-length and maxLength: "
                + tokens);
      }
    }
  }
}
