package dev.skiff.runtime.image;

import java.util.List;

/** Class names from model.yaml's {@code labels}, falling back to the index. */
public final class Labels {
  private Labels() {}

  /** {@code labels[index]}, or the index as text when there is no such label. */
  public static String name(List<String> labels, int index) {
    return index >= 0 && index < labels.size() ? labels.get(index) : Integer.toString(index);
  }
}
