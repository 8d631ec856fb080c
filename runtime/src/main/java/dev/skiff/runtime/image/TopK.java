package dev.skiff.runtime.image;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Classification: the {@code k} highest scores of one row, best first, ties by class index. */
public final class TopK {
  private TopK() {}

  public static List<ScoredLabel> of(float[] scores, int k, List<String> labels) {
    List<ScoredLabel> all = new ArrayList<>(scores.length);
    for (int i = 0; i < scores.length; i++) {
      all.add(new ScoredLabel(i, Labels.name(labels, i), scores[i]));
    }
    all.sort(
        Comparator.comparingDouble(ScoredLabel::score)
            .reversed()
            .thenComparingInt(ScoredLabel::index));
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }
}
