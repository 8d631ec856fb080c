package dev.skiff.runtime.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeedbackLogTest {
  @TempDir Path dir;

  @Test
  void rotatesAtTheSizeCapAndKeepsNFiles() throws Exception {
    Path path = dir.resolve("logs/feedback.jsonl");
    String line = "{\"n\":\"" + "x".repeat(40) + "\"}"; // 49 bytes + newline
    try (FeedbackLog log = FeedbackLog.open(new FeedbackLogOptions(path, 120, 2))) {
      for (int i = 0; i < 9; i++) {
        log.append(line.replace("x", Integer.toString(i)));
      }
    }
    // Two lines per file: 8 current, 6..7 in .1, 4..5 in .2; older ones deleted.
    assertThat(Files.readAllLines(path)).hasSize(1).allMatch(l -> l.contains("8"));
    assertThat(Files.readAllLines(FeedbackLog.sibling(path, 1)))
        .hasSize(2)
        .allMatch(l -> l.contains("6") || l.contains("7"));
    assertThat(FeedbackLog.sibling(path, 2)).exists();
    assertThat(FeedbackLog.sibling(path, 3)).doesNotExist();
    for (Path file : new Path[] {path, FeedbackLog.sibling(path, 1)}) {
      assertThat(Files.size(file)).isLessThanOrEqualTo(120);
    }
  }

  @Test
  void appendsToAnExistingLogAndWritesNothingWhenOff() throws Exception {
    Path path = dir.resolve("feedback.jsonl");
    try (FeedbackLog log = FeedbackLog.open(new FeedbackLogOptions(path, 1000, 1))) {
      log.append("{\"a\":1}");
    }
    try (FeedbackLog log = FeedbackLog.open(new FeedbackLogOptions(path, 1000, 1))) {
      log.append("{\"a\":2}");
    }
    assertThat(Files.readAllLines(path)).containsExactly("{\"a\":1}", "{\"a\":2}");
    try (FeedbackLog off = FeedbackLog.open(FeedbackLogOptions.OFF)) {
      off.append("{}");
      assertThat(off.enabled()).isFalse();
    }
  }

  @Test
  void theWindowKeepsTheNewestAndAClaimCountsOnce() {
    RecentPredictions recent = new RecentPredictions(2);
    for (String id : new String[] {"a", "b", "c"}) {
      recent.add(new Prediction("m", "v1", id, "3", 3, Instant.EPOCH));
    }
    assertThat(recent.find("a")).isEmpty();
    assertThat(recent.claim("b")).isPresent();
    assertThat(recent.claim("b")).isEmpty();
    assertThat(recent.size()).isEqualTo(1);
    Prediction p = recent.find("c").orElseThrow();
    assertThat(p.matches("3")).isTrue();
    assertThat(p.matches("4")).isFalse();
  }
}
