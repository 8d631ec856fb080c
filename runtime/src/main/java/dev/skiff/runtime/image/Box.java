package dev.skiff.runtime.image;

/**
 * One detected object, in pixels of the uploaded image.
 *
 * @param index the class index
 * @param label the class name from the model's label list, else the index as text
 * @param score objectness times the class's score
 * @param x left edge
 * @param y top edge
 * @param w width
 * @param h height
 */
public record Box(int index, String label, double score, double x, double y, double w, double h) {

  /** Intersection over union with {@code other}; 0 when either is empty. */
  public double iou(Box other) {
    double left = Math.max(x, other.x);
    double top = Math.max(y, other.y);
    double right = Math.min(x + w, other.x + other.w);
    double bottom = Math.min(y + h, other.y + other.h);
    double inter = Math.max(0, right - left) * Math.max(0, bottom - top);
    double union = w * h + other.w * other.h - inter;
    return union <= 0 ? 0 : inter / union;
  }
}
