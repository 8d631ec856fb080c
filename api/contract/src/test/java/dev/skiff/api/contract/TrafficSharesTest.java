package dev.skiff.api.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrafficSharesTest {

  private static Map<String, Integer> weights(Object... pairs) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], (Integer) pairs[i + 1]);
    }
    return m;
  }

  @Test
  void allReadyKeepsDeclaredWeights() {
    assertThat(TrafficShares.effective(weights("v1", 90, "v2", 10), Set.of("v1", "v2")))
        .containsExactlyEntriesOf(weights("v1", 90, "v2", 10));
  }

  @Test
  void notReadyShareIsSpreadProportionally() {
    // the router's documented example: 50/30/20 with the first down -> 0/60/40
    assertThat(TrafficShares.effective(weights("a", 50, "b", 30, "c", 20), Set.of("b", "c")))
        .containsExactlyEntriesOf(weights("a", 0, "b", 60, "c", 40));
    assertThat(TrafficShares.effective(weights("v1", 90, "v2", 10), Set.of("v1")))
        .containsExactlyEntriesOf(weights("v1", 100, "v2", 0));
  }

  @Test
  void roundingStillAddsUpTo100() {
    Map<String, Integer> effective =
        TrafficShares.effective(weights("a", 10, "b", 10, "c", 10, "d", 70), Set.of("a", "b", "c"));
    assertThat(effective).containsExactlyEntriesOf(weights("a", 34, "b", 33, "c", 33, "d", 0));
    assertThat(effective.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);
  }

  @Test
  void nothingReadyWithAWeightMeansAllZero() {
    assertThat(TrafficShares.effective(weights("v1", 100, "v2", 0), Set.of("v2")))
        .containsExactlyEntriesOf(weights("v1", 0, "v2", 0));
    assertThat(TrafficShares.effective(weights("v1", 100), Set.of()))
        .containsExactlyEntriesOf(weights("v1", 0));
  }
}
