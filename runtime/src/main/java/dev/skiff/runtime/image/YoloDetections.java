package dev.skiff.runtime.image;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Detection: reads a YOLO-style output (rows of {@code cx, cy, w, h, objectness, class scores...},
 * coordinates normalised to the model input; docs/images.md), keeps candidates whose {@code
 * objectness x best class score} reaches the confidence threshold, runs non-maximum suppression per
 * class, and maps the survivors to pixels of the uploaded image.
 */
public final class YoloDetections {
  private final double confidence;
  private final double iou;
  private final int maxDetections;
  private final List<String> labels;

  public YoloDetections(double confidence, double iou, int maxDetections, List<String> labels) {
    this.confidence = confidence;
    this.iou = iou;
    this.maxDetections = maxDetections;
    this.labels = List.copyOf(labels);
  }

  /**
   * Boxes above the confidence threshold, overlapping ones suppressed, best first.
   *
   * @param rows the output's values, {@code rowLength} per candidate
   * @param rowLength {@code 5 + classes}
   * @param placement where the uploaded image sits in the model input
   */
  public List<Box> decode(float[] rows, int rowLength, Placement placement) {
    List<Box> candidates = new ArrayList<>();
    for (int at = 0; at + rowLength <= rows.length; at += rowLength) {
      int best = 0;
      for (int k = 1; k < rowLength - 5; k++) {
        if (rows[at + 5 + k] > rows[at + 5 + best]) {
          best = k;
        }
      }
      double score = (double) rows[at + 4] * rows[at + 5 + best];
      if (!(score >= confidence)) { // also drops NaN
        continue;
      }
      Box box = toSource(rows, at, placement, best, score);
      if (box.w() > 0 && box.h() > 0) {
        candidates.add(box);
      }
    }
    return suppress(candidates, iou, maxDetections);
  }

  private Box toSource(float[] rows, int at, Placement p, int cls, double score) {
    double cx = rows[at] * p.width();
    double cy = rows[at + 1] * p.height();
    double hw = rows[at + 2] * p.width() / 2;
    double hh = rows[at + 3] * p.height() / 2;
    double left = clamp(p.sourceX(cx - hw), p.sourceWidth());
    double right = clamp(p.sourceX(cx + hw), p.sourceWidth());
    double top = clamp(p.sourceY(cy - hh), p.sourceHeight());
    double bottom = clamp(p.sourceY(cy + hh), p.sourceHeight());
    return new Box(cls, Labels.name(labels, cls), score, left, top, right - left, bottom - top);
  }

  private static double clamp(double v, int max) {
    return Math.min(Math.max(v, 0), max);
  }

  /**
   * Class-wise non-maximum suppression: best score first, a box is dropped when it overlaps a kept
   * box of the same class by more than {@code iouThreshold}; at most {@code max} are kept.
   */
  public static List<Box> suppress(List<Box> boxes, double iouThreshold, int max) {
    List<Box> sorted = new ArrayList<>(boxes);
    sorted.sort(Comparator.comparingDouble(Box::score).reversed());
    List<Box> kept = new ArrayList<>();
    for (Box box : sorted) {
      if (kept.size() == max) {
        break;
      }
      boolean overlaps = false;
      for (Box k : kept) {
        if (k.index() == box.index() && k.iou(box) > iouThreshold) {
          overlaps = true;
          break;
        }
      }
      if (!overlaps) {
        kept.add(box);
      }
    }
    return List.copyOf(kept);
  }
}
