package dev.skiff.runtime.image;

import dev.skiff.runtime.model.ImageSettings.Resize;

/**
 * Where the original image lands in the model's input: model pixel {@code x} shows source pixel
 * {@code (x - offsetX) / scaleX}. Preprocessing samples through it, detection maps boxes back
 * through it.
 *
 * @param sourceWidth the uploaded image's width in pixels
 * @param sourceHeight its height
 * @param width the model input's width
 * @param height the model input's height
 * @param scaleX model pixels per source pixel, horizontally
 * @param scaleY model pixels per source pixel, vertically
 * @param offsetX where the source's left edge lands (negative when cropped, positive when padded)
 * @param offsetY where the source's top edge lands
 */
public record Placement(
    int sourceWidth,
    int sourceHeight,
    int width,
    int height,
    double scaleX,
    double scaleY,
    double offsetX,
    double offsetY) {

  /**
   * How {@code resize} fits a {@code sourceWidth x sourceHeight} image into {@code width x height}.
   */
  public static Placement of(
      Resize resize, int sourceWidth, int sourceHeight, int width, int height) {
    double sx = (double) width / sourceWidth;
    double sy = (double) height / sourceHeight;
    return switch (resize) {
      case STRETCH -> new Placement(sourceWidth, sourceHeight, width, height, sx, sy, 0, 0);
      case CENTER_CROP, LETTERBOX -> {
        double s = resize == Resize.CENTER_CROP ? Math.max(sx, sy) : Math.min(sx, sy);
        yield new Placement(
            sourceWidth,
            sourceHeight,
            width,
            height,
            s,
            s,
            (width - sourceWidth * s) / 2,
            (height - sourceHeight * s) / 2);
      }
    };
  }

  /** The source x (continuous, pixel centres at n + 0.5) shown at model coordinate {@code x}. */
  public double sourceX(double x) {
    return (x - offsetX) / scaleX;
  }

  /** The source y shown at model coordinate {@code y}. */
  public double sourceY(double y) {
    return (y - offsetY) / scaleY;
  }
}
