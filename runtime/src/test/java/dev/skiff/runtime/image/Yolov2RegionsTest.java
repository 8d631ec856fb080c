package dev.skiff.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.runtime.model.ImageSettings.Resize;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The Java {@code yolov2} decoder against the independent numpy one in
 * examples/scripts/make_tiny_yolov2.py: {@code yolov2/decoded.json} holds the example model's raw
 * grid for the example image and the boxes the script decoded from it; decoding the same values
 * here must give the same labels, in the same order, with boxes within 1e-3 pixels.
 */
class Yolov2RegionsTest {
  private static final double PIXELS = 1e-3;

  @Test
  void decodesTheRawGridAsThePythonDecoderDoes() throws IOException {
    JsonNode fixture = fixture();
    List<Double> anchors = doubles(fixture.get("anchors"));
    List<String> labels = new ArrayList<>();
    fixture.get("labels").forEach(l -> labels.add(l.asText()));
    JsonNode shape = fixture.get("shape");
    float[] raw = new float[fixture.get("raw").size()];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = (float) fixture.get("raw").get(i).asDouble();
    }
    Placement placement =
        Placement.of(
            Resize.valueOf(fixture.get("resize").asText().toUpperCase(Locale.ROOT)),
            fixture.at("/image/0").asInt(),
            fixture.at("/image/1").asInt(),
            fixture.at("/modelSize/1").asInt(),
            fixture.at("/modelSize/0").asInt());

    Yolov2Regions regions = new Yolov2Regions(anchors);
    int channels = shape.get(1).asInt();
    float[] rows = regions.rows(raw, channels, shape.get(2).asInt(), shape.get(3).asInt());
    List<Box> boxes =
        new YoloDetections(
                fixture.get("confidenceThreshold").asDouble(),
                fixture.get("iouThreshold").asDouble(),
                fixture.get("maxDetections").asInt(),
                labels)
            .decode(rows, regions.rowLength(channels), placement);

    JsonNode want = fixture.get("detections");
    assertThat(want).as("the fixture has boxes to compare").isNotEmpty();
    assertThat(boxes).as(boxes.toString()).hasSize(want.size());
    for (int i = 0; i < want.size(); i++) {
      Box got = boxes.get(i);
      JsonNode w = want.get(i);
      assertThat(got.label()).as("box %d", i).isEqualTo(w.get("label").asText());
      assertThat(got.score())
          .as("box %d score", i)
          .isCloseTo(w.get("score").asDouble(), within(1e-6));
      assertThat(got.x()).as("box %d x", i).isCloseTo(w.get("x").asDouble(), within(PIXELS));
      assertThat(got.y()).as("box %d y", i).isCloseTo(w.get("y").asDouble(), within(PIXELS));
      assertThat(got.w()).as("box %d w", i).isCloseTo(w.get("w").asDouble(), within(PIXELS));
      assertThat(got.h()).as("box %d h", i).isCloseTo(w.get("h").asDouble(), within(PIXELS));
    }
  }

  @Test
  void decodesOneCellByDarknetsRegionRules() {
    // One anchor (2 x 3 cells), one class pair, a 2 x 2 grid; the value under test sits at cell
    // (row 1, col 0): tx = ty = 0 (centre of the cell), tw = th = 0 (the anchor's size).
    int cells = 4;
    float[] grid = new float[7 * cells];
    int cell = 2;
    grid[4 * cells + cell] = 2f; // objectness logit
    grid[5 * cells + cell] = 1f; // class logits 1, 0
    float[] rows = new Yolov2Regions(List.of(2.0, 3.0)).rows(grid, 7, 2, 2);
    int at = cell * 7;
    assertThat(rows[at]).isCloseTo(0.25f, within(1e-6f));
    assertThat(rows[at + 1]).isCloseTo(0.75f, within(1e-6f));
    assertThat(rows[at + 2]).isCloseTo(1.0f, within(1e-6f));
    assertThat(rows[at + 3]).isCloseTo(1.5f, within(1e-6f));
    assertThat(rows[at + 4]).isCloseTo((float) (1 / (1 + Math.exp(-2))), within(1e-6f));
    assertThat(rows[at + 5]).isCloseTo((float) (Math.E / (Math.E + 1)), within(1e-6f));
    assertThat(rows[at + 5] + rows[at + 6]).isCloseTo(1f, within(1e-6f));
  }

  private static JsonNode fixture() throws IOException {
    try (InputStream in = Yolov2RegionsTest.class.getResourceAsStream("/yolov2/decoded.json")) {
      assertThat(in).as("yolov2/decoded.json (examples/scripts/make_tiny_yolov2.py)").isNotNull();
      return new ObjectMapper().readTree(in);
    }
  }

  private static List<Double> doubles(JsonNode array) {
    List<Double> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asDouble()));
    return values;
  }
}
