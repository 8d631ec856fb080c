package dev.skiff.runtime.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.skiff.runtime.web.ApiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * One text model version's tokenizer: a Hugging Face {@code tokenizer.json} loaded through DJL's
 * binding of the Rust {@code tokenizers} library, so ids are the ones Python's {@code tokenizers}
 * gives (TokenizerAgreementTest). Thread-safe: the Rust tokenizer is immutable once configured.
 */
public final class TextTokenizer implements AutoCloseable {
  static {
    // DJL would download a CUDA build of the library on a machine with a GPU and, without a
    // bundled one, any build at all; the jar carries the CPU build for linux-x86_64 (and
    // aarch64, macOS, Windows), which is all a tokenizer needs. Offline mode makes a missing
    // library an error instead of a download. A user's own setting wins.
    setIfAbsent("RUST_FLAVOR", "cpu");
    setIfAbsent("ai.djl.offline", "true");
  }

  private final HuggingFaceTokenizer tokenizer;
  private final int maxLength;
  private final boolean truncation;
  private final int maxTextBytes;
  private final long padId;

  private TextTokenizer(
      HuggingFaceTokenizer tokenizer,
      int maxLength,
      boolean truncation,
      int maxTextBytes,
      long padId) {
    this.tokenizer = tokenizer;
    this.maxLength = maxLength;
    this.truncation = truncation;
    this.maxTextBytes = maxTextBytes;
    this.padId = padId;
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null && System.getenv(property) == null) {
      System.setProperty(property, value);
    }
  }

  /**
   * Loads {@code file} with the model's settings: special tokens added as the file's post-processor
   * says, then truncated to (or, without truncation, refused beyond) {@code maxLength} and padded
   * to {@code maxLength} or to the longest text of each call.
   *
   * @param maxTextBytes the most UTF-8 bytes one text may have
   * @throws IOException when the file cannot be read or is no tokenizer
   */
  public static TextTokenizer load(
      Path file, int maxLength, boolean truncation, boolean padToMaxLength, int maxTextBytes)
      throws IOException {
    HuggingFaceTokenizer.Builder builder =
        HuggingFaceTokenizer.builder()
            .optTokenizerPath(file)
            .optAddSpecialTokens(true)
            .optMaxLength(maxLength)
            .optTruncation(truncation);
    if (padToMaxLength) {
      builder.optPadToMaxLength();
    } else {
      builder.optPadding(true);
    }
    try {
      long padId = padIdOf(file);
      return new TextTokenizer(builder.build(), maxLength, truncation, maxTextBytes, padId);
    } catch (RuntimeException e) {
      // The Rust side reports a malformed file as an unchecked exception.
      throw new IOException(file + " is not a tokenizer.json: " + e.getMessage(), e);
    }
  }

  /**
   * The id the file's tokenizer pads with (its {@code padding} settings, or the library's default
   * {@code [PAD]} id 0 when it has none). The binding does not expose it, so it is read where it
   * shows: a one-word text padded to a four-word one, without truncation, so it always pads.
   */
  private static long padIdOf(Path file) throws IOException {
    try (HuggingFaceTokenizer probe =
        HuggingFaceTokenizer.builder()
            .optTokenizerPath(file)
            .optAddSpecialTokens(true)
            .optTruncation(false)
            .optPadding(true)
            .build()) {
      Encoding[] encodings = probe.batchEncode(List.of("a", "a a a a"));
      long[] mask = encodings[0].getAttentionMask();
      for (int i = 0; i < mask.length; i++) {
        if (mask[i] == 0) {
          return encodings[0].getIds()[i];
        }
      }
      throw new IOException("its tokenizer does not pad a shorter text to a longer one");
    }
  }

  /**
   * The token id {@code input_ids} is padded with, here for a text and by the batcher when it joins
   * requests of different lengths.
   */
  public long padId() {
    return padId;
  }

  /**
   * Tokenizes one request's texts into rows of equal length.
   *
   * @throws ApiException 400 for an empty text (no characters; white space is text), or, without
   *     truncation, one of more than {@code maxLength} tokens; 413 for one of more than {@code
   *     maxTextBytes} bytes
   */
  public Tokens encode(List<String> texts) {
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      if (text.isEmpty()) {
        throw ApiException.badRequest("text " + i + " is empty; send the text to classify");
      }
      int bytes = text.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > maxTextBytes) {
        throw ApiException.payloadTooLarge(
            "text "
                + i
                + " is "
                + bytes
                + " bytes; this model takes at most "
                + maxTextBytes
                + " bytes per text (64 x preprocess.maxLength)");
      }
    }
    Encoding[] encodings = tokenizer.batchEncode(texts);
    int length = encodings.length == 0 ? 0 : encodings[0].getIds().length;
    long[] ids = new long[texts.size() * length];
    long[] mask = new long[ids.length];
    long[] typeIds = new long[ids.length];
    for (int row = 0; row < encodings.length; row++) {
      Encoding encoding = encodings[row];
      long[] rowMask = encoding.getAttentionMask();
      if (!truncation) {
        long tokens = 0;
        for (long m : rowMask) {
          tokens += m;
        }
        if (tokens > maxLength) {
          throw ApiException.badRequest(
              "text "
                  + row
                  + " is "
                  + tokens
                  + " tokens; this model takes at most "
                  + maxLength
                  + " (preprocess.maxLength, truncation: false)");
        }
      }
      System.arraycopy(encoding.getIds(), 0, ids, row * length, length);
      System.arraycopy(rowMask, 0, mask, row * length, length);
      System.arraycopy(encoding.getTypeIds(), 0, typeIds, row * length, length);
    }
    return new Tokens(texts.size(), length, ids, mask, typeIds);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
