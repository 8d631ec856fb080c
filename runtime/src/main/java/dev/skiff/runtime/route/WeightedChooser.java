package dev.skiff.runtime.route;

import java.util.List;
import java.util.Optional;

/**
 * Picks versions in proportion to their weights with smooth weighted round-robin (nginx's
 * algorithm): each pick adds every weight to its version's running score, takes the highest score
 * and subtracts the total from it. Over every run of {@code sum(weights)} picks each version is
 * chosen exactly {@code weight} times, interleaved rather than in bursts, so the observed split is
 * exact from the first hundred requests on instead of only "on average" as with random choice.
 *
 * <p>Thread-safe: picks are serialized on a short lock (a few additions per version).
 */
final class WeightedChooser {
  private final List<String> names;
  private final int[] weights;
  private final long[] scores;
  private final long total;

  /** Versions with weight 0 are never picked; {@code names} and {@code weights} align. */
  WeightedChooser(List<String> names, List<Integer> weights) {
    if (names.size() != weights.size()) {
      throw new IllegalArgumentException("names and weights differ in length");
    }
    this.names = List.copyOf(names);
    this.weights = weights.stream().mapToInt(Integer::intValue).toArray();
    this.scores = new long[this.weights.length];
    long sum = 0;
    for (int weight : this.weights) {
      if (weight < 0) {
        throw new IllegalArgumentException("negative weight " + weight);
      }
      sum += weight;
    }
    this.total = sum;
  }

  /** The next version, or empty when every weight is 0. */
  synchronized Optional<String> next() {
    if (total == 0) {
      return Optional.empty();
    }
    int best = -1;
    for (int i = 0; i < weights.length; i++) {
      scores[i] += weights[i];
      if (weights[i] > 0 && (best < 0 || scores[i] > scores[best])) {
        best = i;
      }
    }
    scores[best] -= total;
    return Optional.of(names.get(best));
  }

  /**
   * The version other than {@code excluded} that would be picked next (for a retry), or empty when
   * no other version has a weight. It does not advance the round-robin scores, so retries do not
   * skew the split of first attempts.
   */
  synchronized Optional<String> nextExcluding(String excluded) {
    int best = -1;
    for (int i = 0; i < weights.length; i++) {
      if (weights[i] > 0
          && !names.get(i).equals(excluded)
          && (best < 0 || scores[i] + weights[i] > scores[best] + weights[best])) {
        best = i;
      }
    }
    return best < 0 ? Optional.empty() : Optional.of(names.get(best));
  }
}
