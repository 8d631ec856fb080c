package dev.skiff.runtime.image;

import java.util.List;
import java.util.Optional;

/**
 * A postprocessed answer: labels for a classifier, boxes for a detector (the other list empty).
 *
 * @param detection whether the model is a detector (answers boxes) rather than a classifier
 * @param predictions top-k labels, best first
 * @param detections boxes, best first
 */
public record Answer(boolean detection, List<ScoredLabel> predictions, List<Box> detections) {
  public Answer {
    predictions = List.copyOf(predictions);
    detections = List.copyOf(detections);
  }

  public static Answer classification(List<ScoredLabel> predictions) {
    return new Answer(false, predictions, List.of());
  }

  public static Answer detection(List<Box> boxes) {
    return new Answer(true, List.of(), boxes);
  }

  /** The answer's single best class, when it has one: top-1 label or best box. */
  public Optional<ScoredLabel> best() {
    if (!predictions.isEmpty()) {
      return Optional.of(predictions.get(0));
    }
    return detections.stream()
        .findFirst()
        .map(box -> new ScoredLabel(box.index(), box.label(), box.score()));
  }
}
