package dev.skiff.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.contract.ImageChoices;
import dev.skiff.api.contract.ModelSettingsFile;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ModelDeployment offers the words of {@link ImageChoices} (its CRD lists them as enums): each
 * must be one the runtime takes, as the constant of the same name, and the runtime must take no
 * other, or the API server would accept what the model then refuses (or refuse what it serves).
 */
class ImageChoicesTest {

  private static final String WHERE = "model 'm'";

  @Test
  void everyPreprocessWordIsTheRuntimesOwn() {
    assertThat(names(ImageSettings.Resize.values())).isEqualTo(names(ImageChoices.Resize.values()));
    assertThat(names(ImageSettings.Channels.values()))
        .isEqualTo(names(ImageChoices.Channels.values()));
    assertThat(names(ImageSettings.Layout.values())).isEqualTo(names(ImageChoices.Layout.values()));
    for (ImageChoices.Resize resize : ImageChoices.Resize.values()) {
      assertThat(preprocess(resize.value(), null, null).resize().name()).isEqualTo(resize.name());
    }
    for (ImageChoices.Channels channels : ImageChoices.Channels.values()) {
      assertThat(preprocess(null, channels.value(), null).channels().name())
          .isEqualTo(channels.name());
    }
    for (ImageChoices.Layout layout : ImageChoices.Layout.values()) {
      assertThat(preprocess(null, null, layout.value()).layout().name()).isEqualTo(layout.name());
    }
  }

  @Test
  void everyPostprocessWordIsTheRuntimesOwn() {
    assertThat(names(ImageSettings.Kind.values()))
        .isEqualTo(names(ImageChoices.PostprocessType.values()));
    for (ImageChoices.PostprocessType type : ImageChoices.PostprocessType.values()) {
      ModelSettingsFile.Postprocess file =
          new ModelSettingsFile.Postprocess(type.value(), null, null, null, null, null, null, null);
      assertThat(ImageSettings.Postprocess.from(file, WHERE).kind().name()).isEqualTo(type.name());
    }
    for (ImageChoices.DetectionFormat format : ImageChoices.DetectionFormat.values()) {
      ModelSettingsFile.Postprocess file =
          new ModelSettingsFile.Postprocess(
              ImageChoices.PostprocessType.DETECTION.value(),
              null,
              null,
              format.value(),
              null,
              null,
              null,
              null);
      ImageSettings.Postprocess post = ImageSettings.Postprocess.from(file, WHERE);
      assertThat(post.kind()).isEqualTo(ImageSettings.Kind.DETECTION);
      assertThat(post.format().name()).isEqualTo(format.name());
    }
    assertThat(names(ImageSettings.DetectionFormat.values()))
        .isEqualTo(names(ImageChoices.DetectionFormat.values()));
  }

  private static ImageSettings.Preprocess preprocess(
      String resize, String channels, String layout) {
    return ImageSettings.Preprocess.from(
        new ModelSettingsFile.Preprocess(
            null, List.of(8, 8), resize, channels, null, null, null, layout),
        WHERE);
  }

  private static List<String> names(Enum<?>[] constants) {
    return Arrays.stream(constants).map(Enum::name).toList();
  }
}
