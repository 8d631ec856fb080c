package dev.skiff.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.contract.Datatype;
import dev.skiff.api.contract.ModelSettingsFile;
import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.tensor.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** model.yaml's {@code preprocess} of {@code type: text}: defaults, and each refusal's message. */
class TextSettingsTest {

  private static ModelSettingsFile.Preprocess text(
      String tokenizer, Integer maxLength, Boolean truncation, String padding) {
    return new ModelSettingsFile.Preprocess(
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        "text",
        tokenizer,
        maxLength,
        truncation,
        padding);
  }

  private static ModelSettings settings(
      ModelSettingsFile.Preprocess pre, ModelSettingsFile.Batching batching) {
    return ModelSettings.from(
        new ModelSettingsFile(null, null, null, null, null, null, null, batching, pre, null, null),
        "m");
  }

  @Test
  void withoutPaddingTheModelsTokenDimensionDecidesWhetherBatchedOrNot() {
    TextSettings plain = settings(text(null, null, null, null), null).text().orElseThrow();
    assertThat(plain)
        .isEqualTo(new TextSettings("tokenizer.json", 128, true, TextSettings.Padding.BY_MODEL));
    assertThat(plain.maxTextBytes()).isEqualTo(8192);
    TextSettings batched =
        settings(text(null, null, null, null), new ModelSettingsFile.Batching(8, 1))
            .text()
            .orElseThrow();
    assertThat(batched).isEqualTo(plain);
    List<TensorSpec> dynamic =
        List.of(TensorSpec.of("input_ids", Datatype.INT64, List.of(-1L, -1L)));
    List<TensorSpec> fixed =
        List.of(TensorSpec.of("input_ids", Datatype.INT64, List.of(-1L, 128L)));
    assertThat(batched.padsToMaxLength(dynamic)).as("the batcher pads per batch").isFalse();
    assertThat(batched.padsToMaxLength(fixed)).isTrue();
    batched.checkContract("m", fixed);
    TextSettings longest =
        settings(text("vocab.json", 64, false, "LONGEST"), null).text().orElseThrow();
    assertThat(longest)
        .isEqualTo(new TextSettings("vocab.json", 64, false, TextSettings.Padding.LONGEST));
    assertThatThrownBy(() -> longest.checkContract("m", fixed))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(
            "takes exactly 128 tokens; set padding: max-length and maxLength: 128");
    assertThat(
            settings(text(null, null, null, "max-length"), null)
                .text()
                .orElseThrow()
                .padsToMaxLength(dynamic))
        .isTrue();
    assertThat(settings(text(null, null, null, null), null).image().preprocess()).isEmpty();
  }

  @Test
  void wrongValuesAreRefusedNamingTheKey() {
    assertRefused(text(null, 0, null, null), "preprocess.maxLength must be within 1..8192");
    assertRefused(text(null, 8193, null, null), "preprocess.maxLength must be within 1..8192");
    assertRefused(text(null, null, null, "right"), "preprocess.padding must be one of");
    assertRefused(text("../secret.json", null, null, null), "preprocess.tokenizer must be a file");
    assertRefused(
        new ModelSettingsFile.Preprocess(
            null,
            List.of(8, 8),
            null,
            null,
            null,
            null,
            null,
            null,
            "text",
            null,
            null,
            null,
            null),
        "[size] are image keys");
    assertRefused(
        new ModelSettingsFile.Preprocess(
            null,
            List.of(8, 8),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            "t.json",
            null,
            null,
            null),
        "are text keys; add type: text");
    assertRefused(
        new ModelSettingsFile.Preprocess(
            null, null, null, null, null, null, null, null, "audio", null, null, null, null),
        "preprocess.type must be one of [image, text], found 'audio'");
  }

  private static void assertRefused(ModelSettingsFile.Preprocess pre, String message) {
    assertThatThrownBy(() -> settings(pre, null))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(message);
  }
}
