package dev.skiff.runtime.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.runtime.feedback.FeedbackPeers;
import dev.skiff.runtime.feedback.FeedbackRecorder;
import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.model.ModelRepository;
import dev.skiff.runtime.model.ServedModel;
import dev.skiff.runtime.web.ApiException;
import dev.skiff.runtime.web.Json;
import dev.skiff.runtime.web.MethodNotAllowed;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Feedback on a prediction: {@code POST /v1/models/{m}/feedback} (and {@code /v1/feedback} when one
 * model is served) with {@code {"id": <request id>, "label": <true label>}} or {@code {"id": ...,
 * "correct": true|false}}.
 */
public final class FeedbackService implements HttpService {
  private static final HeaderName FORWARDED = HeaderNames.create(FeedbackPeers.FORWARDED_HEADER);

  private final ModelRepository repository;
  private final FeedbackRecorder recorder;
  private final FeedbackPeers peers;
  private final RuntimeMetrics metrics;

  public FeedbackService(
      ModelRepository repository,
      FeedbackRecorder recorder,
      FeedbackPeers peers,
      RuntimeMetrics metrics) {
    this.repository = repository;
    this.recorder = recorder;
    this.peers = peers;
    this.metrics = metrics;
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .post(
            "/models/{model}/feedback",
            (req, res) -> feedback(req.path().pathParameters().get("model"), req, res))
        .post(
            "/feedback",
            (req, res) ->
                feedback(SingleModel.name(repository, "/v1/feedback", "feedback"), req, res));
    MethodNotAllowed.register(rules, List.of("/models/{model}/feedback", "/feedback"), "POST");
  }

  private void feedback(String model, ServerRequest req, ServerResponse res) {
    if (repository.model(model).isEmpty()) {
      throw ApiException.notFound(
          "model '"
              + model
              + "' not found; this server has "
              + repository.models().stream().map(ServedModel::name).toList());
    }
    JsonNode body;
    try (InputStream in = req.content().inputStream()) {
      body = Json.MAPPER.readTree(in);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("the feedback is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiException.badRequest("cannot read the feedback: " + e.getMessage());
    }
    if (body == null || !body.isObject()) {
      throw ApiException.badRequest(
          "send {\"id\": <request id>, \"label\": <true label>} or {\"id\": ..., \"correct\":"
              + " true|false}");
    }
    JsonNode id = body.get("id");
    if (id == null || !id.isTextual() || id.asText().isEmpty()) {
      throw ApiException.badRequest(
          "'id' must be the request id of the prediction (its X-Request-Id or response 'id')");
    }
    JsonNode label = body.get("label");
    JsonNode correct = body.get("correct");
    if ((label == null) == (correct == null)) {
      throw ApiException.badRequest("give exactly one of 'label' (the true label) and 'correct'");
    }
    if (label != null && !label.isTextual() && !label.isIntegralNumber()) {
      throw ApiException.badRequest("'label' must be a class name or index, not " + label);
    }
    if (correct != null && !correct.isBoolean()) {
      throw ApiException.badRequest("'correct' must be true or false, not " + correct);
    }
    for (var names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!List.of("id", "label", "correct").contains(name)) {
        throw ApiException.badRequest("unknown key '" + name + "'; known: id, label, correct");
      }
    }
    String labelText = label == null ? null : label.asText();
    Boolean correctValue = correct == null ? null : correct.asBoolean();
    Optional<ObjectNode> recorded =
        recorder.recordIfKnown(model, id.asText(), labelText, correctValue);
    if (recorded.isPresent()) {
      Json.send(res, Status.OK_200, recorded.get());
    } else if (peers.isEmpty() || req.headers().contains(FORWARDED)) {
      throw recorder.unknown(model, id.asText(), "");
    } else {
      askPeers(model, id.asText(), body, req, res);
    }
  }

  /** This server does not remember the prediction: the peer that does records it. */
  private void askPeers(
      String model, String id, JsonNode body, ServerRequest req, ServerResponse res) {
    FeedbackPeers.Outcome outcome =
        peers.ask(
            req.path().absolute().rawPath(),
            body.toString(),
            req.headers().first(HeaderNames.AUTHORIZATION),
            req.localPeer().port());
    metrics.feedbackForwarded(model, outcome.label());
    switch (outcome) {
      case FeedbackPeers.Recorded r -> {
        res.status(Status.create(r.status()));
        res.headers().contentType(MediaTypes.APPLICATION_JSON);
        res.send(r.body());
      }
      case FeedbackPeers.Unknown u ->
          throw recorder.unknown(model, id, " or its " + u.asked() + " peer servers");
      case FeedbackPeers.Unreachable u ->
          throw ApiException.unavailable(
              "no server that answered knows request id '"
                  + id
                  + "' of model '"
                  + model
                  + "', and "
                  + u.failed().size()
                  + " of its "
                  + u.asked()
                  + " peer servers could not be asked ("
                  + String.join(", ", u.failed())
                  + "); retry: the feedback was not recorded",
              1);
    }
  }
}
