package dev.skiff.runtime.feedback;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.web.ApiException;
import java.time.Clock;
import java.util.Optional;

/**
 * Joins feedback to the prediction made under the same request id, decides whether the prediction
 * was correct (given: {@code correct}; or computed: the true {@code label} against the predicted
 * one), counts the outcome per model and version, and appends it to the feedback log.
 */
public final class FeedbackRecorder {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RecentPredictions recent;
  private final FeedbackLog log;
  private final RuntimeMetrics metrics;
  private final Clock clock;

  public FeedbackRecorder(
      RecentPredictions recent, FeedbackLog log, RuntimeMetrics metrics, Clock clock) {
    this.recent = recent;
    this.log = log;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * Records feedback on the prediction {@code id} of {@code model}.
   *
   * @param label the true label (name or index as text), or null when {@code correct} is given
   * @param correct whether the prediction was right, or null when {@code label} is given
   * @return the logged record
   * @throws ApiException 404 when no recent prediction of this model has that id
   */
  public ObjectNode record(String model, String id, String label, Boolean correct) {
    return recordIfKnown(model, id, label, correct).orElseThrow(() -> unknown(model, id, ""));
  }

  /**
   * Records feedback on the prediction {@code id} of {@code model} when this server remembers it.
   *
   * @return the logged record; empty when no recent prediction of this model has that id
   */
  public Optional<ObjectNode> recordIfKnown(
      String model, String id, String label, Boolean correct) {
    Optional<Prediction> found = recent.find(id).filter(p -> p.model().equals(model));
    // claim fails when a concurrent feedback claimed it first
    if (found.isEmpty() || recent.claim(id).isEmpty()) {
      return Optional.empty();
    }
    Prediction prediction = found.get();
    boolean right = label != null ? prediction.matches(label) : correct;
    metrics.feedback(prediction.model(), prediction.version(), right);
    ObjectNode line =
        JSON.createObjectNode()
            .put("time", clock.instant().toString())
            .put("model", prediction.model())
            .put("version", prediction.version())
            .put("id", id)
            .put("predicted", prediction.label())
            .put("predictedAt", prediction.time().toString());
    if (label != null) {
      line.put("label", label);
    }
    line.put("correct", right);
    try {
      log.append(JSON.writeValueAsString(line));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return Optional.of(line);
  }

  /**
   * The 404 for feedback no server remembers.
   *
   * @param where who was asked besides this server, e.g. {@code " or its 3 peers"}
   */
  public ApiException unknown(String model, String id, String where) {
    String other =
        recent
            .find(id)
            .map(p -> " (request id '" + id + "' was answered by model '" + p.model() + "')")
            .orElse("");
    return ApiException.notFound(
        "no recent prediction of model '"
            + model
            + "' has request id '"
            + id
            + "'"
            + (other.isEmpty()
                ? "; it is unknown to this server"
                    + where
                    + ", older than the last "
                    + recent.capacity()
                    + " predictions per server, or already has feedback"
                : other));
  }
}
