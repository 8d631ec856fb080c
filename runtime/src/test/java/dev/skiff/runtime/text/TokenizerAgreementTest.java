package dev.skiff.runtime.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The runtime's tokenizer gives exactly the ids Python's {@code tokenizers} gave for the same texts
 * and settings: src/test/resources/text/tokenizer-agreement.json, written by
 * examples/scripts/make_sentiment_model.py beside the example's tokenizer.json (the fixed reviews,
 * texts with accents, emoji, scripts, controls and one past maxLength, and 100 held-out reviews).
 */
class TokenizerAgreementTest {
  private static final Path FIXTURE = Path.of("src/test/resources/text/tokenizer-agreement.json");

  private static JsonNode fixture() throws IOException {
    return new ObjectMapper().readTree(FIXTURE.toFile());
  }

  private static TextTokenizer tokenizer(JsonNode fixture, boolean padToMaxLength)
      throws IOException {
    int maxLength = fixture.get("maxLength").asInt();
    return TextTokenizer.load(
        Path.of("..").resolve(fixture.get("tokenizer").asText()),
        maxLength,
        fixture.get("truncation").asBoolean(),
        padToMaxLength,
        64 * maxLength);
  }

  private static List<String> texts(JsonNode fixture) {
    List<String> texts = new ArrayList<>();
    fixture.get("texts").forEach(t -> texts.add(t.asText()));
    return texts;
  }

  private static long[] longs(JsonNode array) {
    long[] values = new long[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).asLong();
    }
    return values;
  }

  /** Row {@code row} of {@code tokens} holds Python's ids and mask for text {@code index}. */
  private static void assertRowIsPythons(
      Tokens tokens, int row, JsonNode want, int index, String text) {
    for (String input : Tokens.INPUT_NAMES.subList(0, 2)) { // input_ids, attention_mask
      assertThat(tokens.row(input, row))
          .as("%s of %s", input, text)
          .containsExactly(longs(want.get(input).get(index)));
    }
  }

  @Test
  void eachTextAloneGivesPythonsIds() throws IOException {
    JsonNode fixture = fixture();
    List<String> texts = texts(fixture);
    JsonNode want = fixture.get("longest");
    try (TextTokenizer tokenizer = tokenizer(fixture, false)) {
      for (int i = 0; i < texts.size(); i++) {
        assertRowIsPythons(tokenizer.encode(List.of(texts.get(i))), 0, want, i, texts.get(i));
      }
    }
  }

  @Test
  void oneBatchPaddedToMaxLengthGivesPythonsIds() throws IOException {
    JsonNode fixture = fixture();
    List<String> texts = texts(fixture);
    JsonNode want = fixture.get("maxLengthBatch");
    try (TextTokenizer tokenizer = tokenizer(fixture, true)) {
      Tokens tokens = tokenizer.encode(texts);
      assertThat(tokens.rows()).isEqualTo(texts.size());
      assertThat(tokens.length()).isEqualTo(fixture.get("maxLength").asInt());
      for (int i = 0; i < texts.size(); i++) {
        assertRowIsPythons(tokens, i, want, i, texts.get(i));
      }
    }
  }

  @Test
  void paddingLongestPadsToTheLongestTextOfTheCall() throws IOException {
    JsonNode fixture = fixture();
    List<String> texts = texts(fixture).subList(0, 4);
    JsonNode alone = fixture.get("longest").get("input_ids");
    int longest = 0;
    for (int i = 0; i < texts.size(); i++) {
      longest = Math.max(longest, alone.get(i).size());
    }
    try (TextTokenizer tokenizer = tokenizer(fixture, false)) {
      Tokens tokens = tokenizer.encode(texts);
      assertThat(tokens.length()).isEqualTo(longest);
      for (int i = 0; i < texts.size(); i++) {
        long[] row = tokens.row(Tokens.INPUT_IDS, i);
        long[] own = longs(alone.get(i));
        assertThat(Arrays.copyOf(row, own.length)).containsExactly(own);
        for (int j = own.length; j < longest; j++) {
          assertThat(row[j]).as("padding").isZero();
        }
      }
    }
  }
}
