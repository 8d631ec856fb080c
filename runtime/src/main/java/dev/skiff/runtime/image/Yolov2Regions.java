package dev.skiff.runtime.image;

import java.util.List;

/**
 * TinyYOLOv2's region output to the rows {@link YoloDetections} reads: the raw grid {@code [1, A *
 * (5 + C), S_h, S_w]} holds, for anchor {@code a} at cell {@code (row, col)}, channels {@code a *
 * (5 + C) + 0..4} = {@code tx, ty, tw, th, to} and then {@code C} class logits. Each becomes one
 * row {@code (cx, cy, w, h, objectness, p_0 .. p_{C-1})} normalised to the model input, as
 * darknet's region layer decodes it: {@code cx = (col + sigmoid(tx)) / S_w}, {@code cy = (row +
 * sigmoid(ty)) / S_h}, {@code w = anchor_w * exp(tw) / S_w}, {@code h = anchor_h * exp(th) / S_h},
 * objectness {@code sigmoid(to)}, class probabilities the softmax of the logits. Thresholds, NMS
 * and the mapping to image pixels are then the {@code yolo} format's.
 */
public final class Yolov2Regions {
  private final double[] anchors;

  /** {@code anchors}: widths and heights in grid cells, {@code [w0, h0, w1, h1, ...]}. */
  public Yolov2Regions(List<Double> anchors) {
    this.anchors = anchors.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** {@code 5 + C} for a grid of {@code channels} channels. */
  public int rowLength(long channels) {
    return (int) (channels / (anchors.length / 2));
  }

  /**
   * One row per anchor and cell, anchor-major then row-major over the grid.
   *
   * @param grid the first image's values, {@code channels * gridHeight * gridWidth} of them
   */
  public float[] rows(float[] grid, int channels, int gridHeight, int gridWidth) {
    int rowLength = rowLength(channels);
    int cells = gridHeight * gridWidth;
    int anchorCount = anchors.length / 2;
    float[] rows = new float[anchorCount * cells * rowLength];
    double[] logits = new double[rowLength - 5];
    int out = 0;
    for (int a = 0; a < anchorCount; a++) {
      int base = a * rowLength * cells;
      for (int row = 0; row < gridHeight; row++) {
        for (int col = 0; col < gridWidth; col++) {
          int cell = row * gridWidth + col;
          rows[out] = (float) ((col + sigmoid(grid[base + cell])) / gridWidth);
          rows[out + 1] = (float) ((row + sigmoid(grid[base + cells + cell])) / gridHeight);
          rows[out + 2] =
              (float) (anchors[2 * a] * Math.exp(grid[base + 2 * cells + cell]) / gridWidth);
          rows[out + 3] =
              (float) (anchors[2 * a + 1] * Math.exp(grid[base + 3 * cells + cell]) / gridHeight);
          rows[out + 4] = (float) sigmoid(grid[base + 4 * cells + cell]);
          for (int k = 0; k < logits.length; k++) {
            logits[k] = grid[base + (5 + k) * cells + cell];
          }
          softmax(logits, rows, out + 5);
          out += rowLength;
        }
      }
    }
    return rows;
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /**
   * Softmax of {@code logits} into {@code to[at..]}, shifted by the maximum so exp cannot overflow.
   */
  private static void softmax(double[] logits, float[] to, int at) {
    double max = Double.NEGATIVE_INFINITY;
    for (double l : logits) {
      max = Math.max(max, l);
    }
    double sum = 0;
    for (double l : logits) {
      sum += Math.exp(l - max);
    }
    for (int k = 0; k < logits.length; k++) {
      to[at + k] = (float) (Math.exp(logits[k] - max) / sum);
    }
  }
}
