package dev.skiff.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.runtime.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {
  private final ImageDecoder decoder = new ImageDecoder(1_000_000);

  private static ApiException refusal(Runnable r) {
    try {
      r.run();
    } catch (ApiException e) {
      return e;
    }
    throw new AssertionError("expected an ApiException");
  }

  @Test
  void decodesPngAndJpeg() {
    var image = TestImages.rgb(3, 2, 0xFF0000, 0x00FF00, 0x0000FF, 0, 0xFFFFFF, 0x808080);
    assertThat(decoder.decode(TestImages.encode(image, "png")).getWidth()).isEqualTo(3);
    assertThat(decoder.decode(TestImages.encode(image, "jpeg")).getHeight()).isEqualTo(2);
  }

  @Test
  void aPixelBombIsRefusedFromItsHeader() {
    byte[] bomb = TestImages.pngClaiming(100_000, 100_000);
    assertThat(bomb.length).isLessThan(200);
    ApiException e = refusal(() -> decoder.decode(bomb));
    assertThat(e.status()).isEqualTo(413);
    assertThat(e.getMessage())
        .contains("100000x100000 = 10000000000 pixels, over the limit of 1000000");
  }

  @Test
  void otherTypesAre415NamingWhatWasSent() {
    var image = TestImages.rgb(2, 2, 0, 0, 0, 0);
    ApiException gif = refusal(() -> decoder.decode(TestImages.encode(image, "gif")));
    assertThat(gif.status()).isEqualTo(415);
    assertThat(gif.getMessage()).contains("GIF").contains("PNG or JPEG");
    ApiException text =
        refusal(() -> decoder.decode("hello, not an image".getBytes(StandardCharsets.UTF_8)));
    assertThat(text.status()).isEqualTo(415);
    assertThat(text.getMessage()).contains("no known image signature");
  }

  @Test
  void truncatedAndCorruptFilesAre400() {
    var image = TestImages.rgb(16, 16);
    byte[] png = TestImages.encode(image, "png");
    byte[] jpeg = TestImages.encode(image, "jpeg");
    for (byte[] broken :
        new byte[][] {
          Arrays.copyOf(png, png.length / 2),
          Arrays.copyOf(jpeg, jpeg.length / 2),
          Arrays.copyOf(png, 12),
          corrupt(png)
        }) {
      ApiException e = refusal(() -> decoder.decode(broken));
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.getMessage()).contains("truncated or corrupt");
    }
    assertThatThrownBy(() -> decoder.decode(new byte[0])).hasMessageContaining("empty");
  }

  private static byte[] corrupt(byte[] png) {
    byte[] copy = png.clone();
    for (int i = 40; i < copy.length - 12; i++) {
      copy[i] ^= 0x5A;
    }
    return copy;
  }
}
