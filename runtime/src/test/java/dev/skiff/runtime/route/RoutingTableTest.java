package dev.skiff.runtime.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
  static final RouterConfig THREE =
      RouterConfig.parse(
          """
          model: iris
          versions:
            - {name: a, url: "http://a:8080", weight: 50}
            - {name: b, url: "http://b:8080", weight: 30}
            - {name: c, url: "http://c:8080", weight: 20}
          """
              .getBytes(StandardCharsets.UTF_8));

  @Test
  void allReadyGetTheirDeclaredWeights() {
    RoutingTable table = new RoutingTable(THREE, Set.of("a", "b", "c"));
    assertThat(table.effectiveWeight("a")).isEqualTo(50.0);
    assertThat(table.effectiveWeight("b")).isEqualTo(30.0);
    assertThat(table.effectiveWeight("c")).isEqualTo(20.0);
    assertThat(picks(table, 1_000)).containsEntry("a", 500).containsEntry("b", 300);
  }

  @Test
  void aNotReadyVersionsShareIsSpreadInProportion() {
    RoutingTable table = new RoutingTable(THREE, Set.of("b", "c"));
    assertThat(table.effectiveWeight("a")).isZero();
    assertThat(table.effectiveWeight("b")).isCloseTo(60.0, within(1e-9));
    assertThat(table.effectiveWeight("c")).isCloseTo(40.0, within(1e-9));
    Map<String, Integer> counts = picks(table, 1_000);
    assertThat(counts).containsEntry("b", 600).containsEntry("c", 400).doesNotContainKey("a");
  }

  @Test
  void onlyZeroWeightVersionsReadyMeansNoUnpinnedTraffic() {
    RouterConfig config =
        RouterConfig.parse(
            """
            model: iris
            versions:
              - {name: a, url: "http://a:8080", weight: 100}
              - {name: b, url: "http://b:8080", weight: 0}
            """
                .getBytes(StandardCharsets.UTF_8));
    RoutingTable table = new RoutingTable(config, Set.of("b"));
    assertThat(table.anyReady()).isTrue();
    assertThat(table.choose()).isEmpty();
    assertThat(table.effectiveWeight("b")).isZero();
  }

  @Test
  void nothingReadyChoosesNothing() {
    RoutingTable table = new RoutingTable(THREE, Set.of());
    assertThat(table.anyReady()).isFalse();
    assertThat(table.choose()).isEmpty();
  }

  private static Map<String, Integer> picks(RoutingTable table, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(table.choose().orElseThrow(), 1, Integer::sum);
    }
    return counts;
  }
}
