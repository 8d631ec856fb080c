package dev.skiff.runtime.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WeightedChooserTest {

  @ParameterizedTest
  @CsvSource({"90,10,0", "50,50,0", "99,1,0", "33,33,34", "0,100,0", "1,1,98"})
  void everyHundredPicksMatchTheWeightsExactly(int a, int b, int c) {
    WeightedChooser chooser = new WeightedChooser(List.of("a", "b", "c"), List.of(a, b, c));
    for (int round = 0; round < 100; round++) {
      Map<String, Integer> counts = picks(chooser, 100);
      assertThat(counts.getOrDefault("a", 0)).isEqualTo(a);
      assertThat(counts.getOrDefault("b", 0)).isEqualTo(b);
      assertThat(counts.getOrDefault("c", 0)).isEqualTo(c);
    }
  }

  @Test
  void picksAreInterleavedNotInBursts() {
    WeightedChooser chooser = new WeightedChooser(List.of("a", "b"), List.of(50, 50));
    String previous = chooser.next().orElseThrow();
    for (int i = 0; i < 100; i++) {
      String next = chooser.next().orElseThrow();
      assertThat(next).isNotEqualTo(previous);
      previous = next;
    }
  }

  @Test
  void weightsThatDoNotAddUpTo100SplitInProportion() {
    WeightedChooser chooser = new WeightedChooser(List.of("a", "b"), List.of(30, 20));
    assertThat(picks(chooser, 5_000)).containsEntry("a", 3_000).containsEntry("b", 2_000);
  }

  @Test
  void allZeroWeightsPickNothing() {
    WeightedChooser chooser = new WeightedChooser(List.of("a", "b"), List.of(0, 0));
    assertThat(chooser.next()).isEmpty();
    assertThat(chooser.nextExcluding("a")).isEmpty();
  }

  @Test
  void retryPickAvoidsTheFailedVersionAndZeroWeights() {
    WeightedChooser chooser = new WeightedChooser(List.of("a", "b", "c"), List.of(50, 50, 0));
    for (int i = 0; i < 10; i++) {
      assertThat(chooser.nextExcluding("a")).contains("b");
      assertThat(chooser.nextExcluding("b")).contains("a");
    }
    assertThat(new WeightedChooser(List.of("a"), List.of(100)).nextExcluding("a")).isEmpty();
  }

  @Test
  void retryPicksDoNotShiftTheSplit() {
    WeightedChooser chooser = new WeightedChooser(List.of("a", "b"), List.of(90, 10));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 1_000; i++) {
      chooser.nextExcluding("a");
      counts.merge(chooser.next().orElseThrow(), 1, Integer::sum);
    }
    assertThat(counts).containsEntry("a", 900).containsEntry("b", 100);
  }

  private static Map<String, Integer> picks(WeightedChooser chooser, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(chooser.next().orElseThrow(), 1, Integer::sum);
    }
    return counts;
  }
}
