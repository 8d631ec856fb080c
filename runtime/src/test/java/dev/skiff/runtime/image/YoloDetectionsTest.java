package dev.skiff.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.skiff.runtime.model.ImageSettings.Resize;
import java.util.List;
import org.junit.jupiter.api.Test;

class YoloDetectionsTest {
  private static final List<String> LABELS = List.of("circle", "square");

  @Test
  void suppressionDropsOverlapsOfTheSameClassOnly() {
    Box best = new Box(0, "circle", 0.9, 0, 0, 10, 10);
    Box overlapping = new Box(0, "circle", 0.8, 1, 1, 10, 10); // IoU 81/119 = 0.68
    Box otherClass = new Box(1, "square", 0.7, 1, 1, 10, 10);
    Box apart = new Box(0, "circle", 0.6, 50, 50, 10, 10);
    assertThat(YoloDetections.suppress(List.of(apart, overlapping, otherClass, best), 0.45, 10))
        .containsExactly(best, otherClass, apart);
    assertThat(YoloDetections.suppress(List.of(best, overlapping), 0.7, 10))
        .containsExactly(best, overlapping);
    assertThat(YoloDetections.suppress(List.of(best, otherClass, apart), 0.45, 2))
        .containsExactly(best, otherClass);
  }

  @Test
  void decodesRowsThresholdsAndMapsBoxesToTheOriginalImage() {
    // Model input 100x100; the original 200x100 image was letterboxed: scale 0.5, offsetY 25.
    Placement placement = Placement.of(Resize.LETTERBOX, 200, 100, 100, 100);
    float[] rows = {
      0.5f, 0.5f, 0.2f, 0.1f, 0.9f, 0.1f, 0.9f, // square, score 0.81, centre of the image
      0.5f, 0.5f, 0.2f, 0.1f, 0.9f, 0.8f, 0.2f, // circle at the same place, 0.72
      0.5f, 0.5f, 0.2f, 0.1f, 0.2f, 0.9f, 0.1f, // 0.18: under the threshold
      0.52f, 0.5f, 0.2f, 0.1f, 0.8f, 0.1f, 0.9f // square again, 0.72, overlapping the first
    };
    List<Box> boxes = new YoloDetections(0.25, 0.45, 10, LABELS).decode(rows, 7, placement);
    assertThat(boxes).extracting(Box::label).containsExactly("square", "circle");
    Box square = boxes.get(0);
    assertThat(square.score()).isCloseTo(0.81, within(1e-6));
    // Model box x 40..60, y 45..55 -> original x 80..120, y (45-25)/0.5 = 40 .. 60.
    assertThat(square.x()).isCloseTo(80, within(1e-3));
    assertThat(square.y()).isCloseTo(40, within(1e-3));
    assertThat(square.w()).isCloseTo(40, within(1e-3));
    assertThat(square.h()).isCloseTo(20, within(1e-3));
  }

  @Test
  void boxesAreClippedToTheImage() {
    Placement placement = Placement.of(Resize.STRETCH, 10, 10, 10, 10);
    float[] rows = {0.0f, 0.0f, 0.4f, 0.4f, 1f, 1f, 0f};
    Box box = new YoloDetections(0.5, 0.5, 10, LABELS).decode(rows, 7, placement).get(0);
    assertThat(List.of(box.x(), box.y(), box.w(), box.h())).containsExactly(0.0, 0.0, 2.0, 2.0);
  }

  @Test
  void topKSortsByScoreThenIndex() {
    List<ScoredLabel> top = TopK.of(new float[] {0.1f, 0.5f, 0.1f, 0.3f}, 3, List.of("a", "b"));
    assertThat(top).extracting(ScoredLabel::label).containsExactly("b", "3", "a");
    assertThat(TopK.of(new float[] {0.2f}, 5, List.of())).hasSize(1);
  }
}
