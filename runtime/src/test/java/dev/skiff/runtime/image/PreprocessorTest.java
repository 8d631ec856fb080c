package dev.skiff.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.skiff.api.contract.ModelSettingsFile;
import dev.skiff.runtime.model.ImageSettings.Preprocess;
import dev.skiff.runtime.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreprocessorTest {

  private static float[] values(Tensor tensor) {
    FloatBuffer buffer = tensor.data().asFloatBuffer();
    float[] out = new float[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  /** model.yaml's {@code preprocess} section, checked and converted as the repository does. */
  private static Preprocess preprocess(
      String input,
      List<Integer> size,
      String resize,
      String channels,
      Double scale,
      List<Double> mean,
      List<Double> std,
      String layout) {
    return Preprocess.from(
        new ModelSettingsFile.Preprocess(input, size, resize, channels, scale, mean, std, layout),
        "model 'test'");
  }

  private static Tensor run(Preprocess settings, BufferedImage image) {
    // Through the real decoder, as an upload would be.
    var decoded = new ImageDecoder(1000).decode(TestImages.encode(image, "png"));
    return new Preprocessor(settings, "input").apply(decoded).tensor();
  }

  @Test
  void rgbNchwScalesSubtractsMeanAndDividesByStdPerChannel() {
    var image = TestImages.rgb(2, 1, 0xFF0080, 0x00FF40);
    Preprocess settings =
        preprocess(
            null,
            List.of(1, 2),
            null,
            "rgb",
            1 / 255.0,
            List.of(0.5, 0.0, 0.25),
            List.of(0.5, 1.0, 0.5),
            "NCHW");
    Tensor tensor = run(settings, image);
    assertThat(tensor.shape()).containsExactly(1, 3, 1, 2);
    // R plane (1, 0), G plane (0, 1), B plane (128/255, 64/255); then (v - mean) / std.
    assertThat(values(tensor))
        .containsExactly(
            new float[] {1f, -1f, 0f, 1f, (128f / 255 - 0.25f) / 0.5f, (64f / 255 - 0.25f) / 0.5f},
            within(1e-6f));
  }

  @Test
  void bgrNhwcInterleavesChannelsInReverseOrder() {
    var image = TestImages.rgb(1, 2, 0x010203, 0x040506);
    Preprocess settings = preprocess(null, List.of(2, 1), null, "bgr", null, null, null, "NHWC");
    Tensor tensor = run(settings, image);
    assertThat(tensor.shape()).containsExactly(1, 2, 1, 3);
    assertThat(values(tensor)).containsExactly(3, 2, 1, 6, 5, 4);
  }

  @Test
  void grayFlatKeepsTheImagesOwnLevelsExactly() {
    var image = TestImages.gray(2, 2, 0, 16, 239, 255);
    Preprocess settings =
        preprocess(null, List.of(2, 2), null, "gray", 16 / 255.0, null, null, "flat");
    Tensor tensor = run(settings, image);
    assertThat(tensor.shape()).containsExactly(1, 4);
    assertThat(values(tensor))
        .containsExactly(new float[] {0f, 16 * 16f / 255, 239 * 16f / 255, 16f}, within(1e-5f));
  }

  @Test
  void colourBecomesGreyByLuma() {
    var image = TestImages.rgb(1, 1, 0x644B32); // 100, 75, 50
    Preprocess settings = preprocess(null, List.of(1, 1), null, "gray", null, null, null, null);
    assertThat(values(run(settings, image)))
        .containsExactly(new float[] {0.299f * 100 + 0.587f * 75 + 0.114f * 50}, within(1e-3f));
  }

  @Test
  void stretchResamplesBilinearlyWithCentresAligned() {
    // 2 pixels stretched to 4: centres at 0.25, 0.75, 1.25, 1.75 of the source... clamped at the
    // edges as OpenCV does: 0, 0.25, 0.75, 1 of the way from 0 to 100.
    var image = TestImages.gray(2, 1, 0, 100);
    Preprocess settings = preprocess(null, List.of(1, 4), null, "gray", null, null, null, "flat");
    assertThat(values(run(settings, image)))
        .containsExactly(new float[] {0f, 25f, 75f, 100f}, within(1e-4f));
  }

  @Test
  void letterboxPadsWithGreyAndCentresTheImage() {
    var image = TestImages.gray(2, 1, 10, 20); // wide: fits the width, padded above and below
    Preprocess settings =
        preprocess(null, List.of(4, 2), "letterbox", "gray", null, null, null, "flat");
    Tensor tensor = run(settings, image);
    var result =
        new Preprocessor(settings, "input")
            .apply(new ImageDecoder(1000).decode(TestImages.encode(image, "png")));
    assertThat(result.placement().offsetY()).isEqualTo(1.5);
    assertThat(values(tensor))
        .containsExactly(new float[] {114, 114, 10, 20, 10, 20, 114, 114}, within(1e-4f));
  }

  @Test
  void centerCropCutsTheMiddle() {
    var image = TestImages.gray(4, 1, 1, 2, 3, 4);
    Preprocess settings =
        preprocess(null, List.of(1, 2), "center-crop", "gray", null, null, null, "flat");
    assertThat(values(run(settings, image))).containsExactly(2, 3);
  }
}
