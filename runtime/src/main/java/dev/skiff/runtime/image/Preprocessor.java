package dev.skiff.runtime.image;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.model.ImageSettings.Channels;
import dev.skiff.runtime.model.ImageSettings.Layout;
import dev.skiff.runtime.model.ImageSettings.Preprocess;
import dev.skiff.runtime.model.ImageSettings.Resize;
import dev.skiff.runtime.tensor.Tensor;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Turns a decoded image into the model's input tensor as model.yaml's {@code preprocess} says: fit
 * to {@code size} (bilinear, pixel centres aligned as OpenCV's INTER_LINEAR; an image already of
 * that size is copied exactly), pick the channels, then {@code (pixel * scale - mean) / std} in the
 * layout the model takes. Pixels are read straight from the decoded raster, so a grey PNG's values
 * are its own (no colour-space round trip).
 */
public final class Preprocessor {
  /** Letterbox padding: grey 114, as YOLO's own preprocessing pads. */
  static final float PAD = 114f;

  private final Preprocess settings;
  private final String inputName;

  public Preprocessor(Preprocess settings, String inputName) {
    this.settings = settings;
    this.inputName = inputName;
  }

  /** The tensor and where the image sits in it. */
  public record Result(Tensor tensor, Placement placement) {}

  public Result apply(BufferedImage image) {
    int w = settings.width();
    int h = settings.height();
    Channels channels = settings.channels();
    int c = channels.count();
    Placement placement =
        Placement.of(settings.resize(), image.getWidth(), image.getHeight(), w, h);
    boolean pad = settings.resize() == Resize.LETTERBOX;
    PixelReader pixels = PixelReader.of(image, channels == Channels.GRAY);
    float[] hwc = new float[w * h * c];
    float[] a = new float[3];
    float[] b = new float[3];
    float[] cc = new float[3];
    float[] d = new float[3];
    for (int y = 0; y < h; y++) {
      double sy = placement.sourceY(y + 0.5) - 0.5;
      for (int x = 0; x < w; x++) {
        double sx = placement.sourceX(x + 0.5) - 0.5;
        int at = (y * w + x) * c;
        if (pad && outside(sx, sy, image)) {
          for (int k = 0; k < c; k++) {
            hwc[at + k] = PAD;
          }
          continue;
        }
        double fx = Math.min(Math.max(sx, 0), image.getWidth() - 1);
        double fy = Math.min(Math.max(sy, 0), image.getHeight() - 1);
        int x0 = (int) Math.floor(fx);
        int y0 = (int) Math.floor(fy);
        int x1 = Math.min(x0 + 1, image.getWidth() - 1);
        int y1 = Math.min(y0 + 1, image.getHeight() - 1);
        float tx = (float) (fx - x0);
        float ty = (float) (fy - y0);
        pixels.read(x0, y0, a);
        if (tx == 0 && ty == 0) {
          System.arraycopy(a, 0, hwc, at, c);
          continue;
        }
        pixels.read(x1, y0, b);
        pixels.read(x0, y1, cc);
        pixels.read(x1, y1, d);
        for (int k = 0; k < c; k++) {
          float top = a[k] + (b[k] - a[k]) * tx;
          float bottom = cc[k] + (d[k] - cc[k]) * tx;
          hwc[at + k] = top + (bottom - top) * ty;
        }
      }
    }
    return new Result(toTensor(hwc, w, h, channels), placement);
  }

  private static boolean outside(double sx, double sy, BufferedImage image) {
    return sx < -0.5 || sy < -0.5 || sx > image.getWidth() - 0.5 || sy > image.getHeight() - 0.5;
  }

  private Tensor toTensor(float[] hwc, int w, int h, Channels channels) {
    int c = channels.count();
    ByteBuffer bytes =
        ByteBuffer.allocateDirect(hwc.length * Float.BYTES).order(ByteOrder.nativeOrder());
    FloatBuffer out = bytes.asFloatBuffer();
    float scale = (float) settings.scale();
    float[] mean = new float[c];
    float[] std = new float[c];
    for (int k = 0; k < c; k++) {
      mean[k] = (float) settings.meanOf(k);
      std[k] = (float) settings.stdOf(k);
    }
    // The reader gives R, G, B; BGR swaps the first and last channel on the way out.
    int[] from = channels == Channels.BGR ? new int[] {2, 1, 0} : new int[] {0, 1, 2};
    if (settings.layout() == Layout.NCHW) {
      for (int k = 0; k < c; k++) {
        for (int i = 0; i < w * h; i++) {
          out.put((hwc[i * c + from[k]] * scale - mean[k]) / std[k]);
        }
      }
    } else { // NHWC and flat share the row-major H, W, C order
      for (int i = 0; i < w * h; i++) {
        for (int k = 0; k < c; k++) {
          out.put((hwc[i * c + from[k]] * scale - mean[k]) / std[k]);
        }
      }
    }
    return Tensor.ofBuffer(inputName, Datatype.FP32, settings.tensorShape(), bytes);
  }

  /** Reads one pixel as 0..255 floats: grey, or R, G, B. */
  private interface PixelReader {
    void read(int x, int y, float[] out);

    static PixelReader of(BufferedImage image, boolean gray) {
      var model = image.getColorModel();
      boolean grayImage =
          model.getColorSpace().getType() == ColorSpace.TYPE_GRAY
              && !(model instanceof IndexColorModel);
      if (grayImage) {
        Raster raster = image.getRaster();
        float max = (1 << model.getComponentSize(0)) - 1;
        return (x, y, out) -> {
          float v = raster.getSample(x, y, 0) * 255f / max;
          out[0] = v;
          out[1] = v;
          out[2] = v;
        };
      }
      return (x, y, out) -> {
        int rgb = image.getRGB(x, y);
        float r = (rgb >> 16) & 0xFF;
        float g = (rgb >> 8) & 0xFF;
        float b = rgb & 0xFF;
        if (gray) {
          out[0] = 0.299f * r + 0.587f * g + 0.114f * b;
        } else {
          out[0] = r;
          out[1] = g;
          out[2] = b;
        }
      };
    }
  }
}
