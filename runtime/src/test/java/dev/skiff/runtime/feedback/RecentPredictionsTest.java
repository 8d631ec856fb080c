package dev.skiff.runtime.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecentPredictionsTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:15:30.123456789Z");

  private static Prediction prediction(String id, int index) {
    return new Prediction("iris", "v1", id, "class-" + index, index, T0.plusSeconds(index));
  }

  @Test
  void findsWhatWasAddedWithEveryField() {
    RecentPredictions recent = new RecentPredictions(4);
    Prediction p = new Prediction("iris", "v2", "req-1", "virginica", 2, T0);
    recent.add(p);
    assertThat(recent.find("req-1")).contains(p);
    assertThat(recent.find("req-2")).isEmpty();
    assertThat(recent.size()).isEqualTo(1);
  }

  @Test
  void keepsAPredictionWithoutALabel() {
    RecentPredictions recent = new RecentPredictions(4);
    Prediction p = new Prediction("iris", "v1", "req-1", null, -1, T0);
    recent.add(p);
    assertThat(recent.find("req-1")).contains(p);
  }

  @Test
  void claimTakesThePredictionOutOnce() {
    RecentPredictions recent = new RecentPredictions(4);
    recent.add(prediction("a", 1));
    assertThat(recent.claim("a")).contains(prediction("a", 1));
    assertThat(recent.claim("a")).isEmpty();
    assertThat(recent.find("a")).isEmpty();
    assertThat(recent.size()).isZero();
  }

  @Test
  void dropsTheOldestWhenFull() {
    RecentPredictions recent = new RecentPredictions(3);
    for (int i = 0; i < 5; i++) {
      recent.add(prediction("id-" + i, i));
    }
    assertThat(recent.size()).isEqualTo(3);
    assertThat(recent.find("id-0")).isEmpty();
    assertThat(recent.find("id-1")).isEmpty();
    assertThat(recent.find("id-2")).contains(prediction("id-2", 2));
    assertThat(recent.find("id-4")).contains(prediction("id-4", 4));
  }

  @Test
  void aLaterPredictionUnderTheSameIdReplacesTheEarlierOne() {
    RecentPredictions recent = new RecentPredictions(3);
    recent.add(prediction("a", 1));
    recent.add(prediction("a", 2));
    assertThat(recent.find("a")).contains(prediction("a", 2));
    assertThat(recent.size()).isEqualTo(1);
  }

  @Test
  void idsUpTo128AsciiCharactersAreKeptOthersAreNot() {
    RecentPredictions recent = new RecentPredictions(4);
    String longest = "x".repeat(RecentPredictions.MAX_ID_LENGTH);
    recent.add(prediction(longest, 1));
    recent.add(prediction(longest + "y", 2));
    recent.add(prediction("caf\u00e9", 3));
    assertThat(recent.find(longest)).contains(prediction(longest, 1));
    assertThat(recent.find(longest + "y")).isEmpty();
    assertThat(recent.find("caf\u00e9")).isEmpty();
    assertThat(recent.size()).isEqualTo(1);
  }

  @Test
  void idsThatDifferOnlyAfterAHashCollisionAreKeptApart() {
    // "Aa" and "BB" have the same String.hashCode
    RecentPredictions recent = new RecentPredictions(4);
    recent.add(prediction("Aa", 1));
    recent.add(prediction("BB", 2));
    assertThat(recent.claim("Aa")).contains(prediction("Aa", 1));
    assertThat(recent.find("BB")).contains(prediction("BB", 2));
  }

  /**
   * Random adds, replacements and claims against a plain model of the window (the last {@code
   * capacity} additions, minus what was claimed or replaced), many times round the ring, so the
   * index's deletions and wrap-around are exercised with colliding probe runs.
   */
  @Test
  void agreesWithASimpleModelOverManyRoundsOfTheRing() {
    int capacity = 37;
    RecentPredictions recent = new RecentPredictions(capacity);
    List<String> added = new ArrayList<>(); // ids in the order added; null where claimed/replaced
    Map<String, Prediction> model = new HashMap<>();
    Random random = new Random(42);
    for (int step = 0; step < 20_000; step++) {
      String id = "r" + random.nextInt(200);
      if (random.nextInt(4) == 0) {
        Prediction claimed = model.remove(id);
        assertThat(recent.claim(id)).isEqualTo(Optional.ofNullable(claimed));
        if (claimed != null) {
          added.set(added.lastIndexOf(id), null);
        }
      } else {
        Prediction p = prediction(id, step);
        if (model.containsKey(id)) {
          added.set(added.lastIndexOf(id), null);
        }
        added.add(id);
        model.put(id, p);
        recent.add(p);
        if (added.size() > capacity) {
          String dropped = added.remove(0);
          if (dropped != null) {
            model.remove(dropped);
          }
        }
      }
      assertThat(recent.size()).isEqualTo(model.size());
    }
    for (int i = 0; i < 200; i++) {
      String id = "r" + i;
      assertThat(recent.find(id)).isEqualTo(Optional.ofNullable(model.get(id)));
    }
  }
}
