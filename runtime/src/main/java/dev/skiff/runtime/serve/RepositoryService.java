package dev.skiff.runtime.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.runtime.model.ModelRepositoryControl;
import dev.skiff.runtime.model.ModelRepositoryControl.IndexEntry;
import dev.skiff.runtime.model.RepositoryRefusal;
import dev.skiff.runtime.web.ApiException;
import dev.skiff.runtime.web.Json;
import dev.skiff.runtime.web.MethodNotAllowed;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The model repository extension over REST, on Triton's and MLServer's paths: {@code POST
 * /v2/repository/index} (body optional, {@code {"ready": true}} for the ready versions only),
 * {@code POST /v2/repository/models/{m}/load} and {@code .../unload}. Load and unload answer 200
 * with an empty body, as Triton does.
 */
public final class RepositoryService implements HttpService {
  private final ModelRepositoryControl control;

  public RepositoryService(ModelRepositoryControl control) {
    this.control = control;
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .post("/index", this::index)
        .post("/models/{model}/load", this::load)
        .post("/models/{model}/unload", this::unload);
    MethodNotAllowed.register(
        rules, List.of("/index", "/models/{model}/load", "/models/{model}/unload"), "POST");
  }

  private void index(ServerRequest req, ServerResponse res) {
    ObjectNode body = readBody(req);
    boolean readyOnly = false;
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("ready")) {
        throw ApiException.badRequest(
            "the index request has an unknown field '" + name + "'; it takes only 'ready'");
      }
      JsonNode ready = body.get(name);
      if (!ready.isBoolean()) {
        throw ApiException.badRequest(
            "the index request's 'ready' must be true or false, not " + ready);
      }
      readyOnly = ready.booleanValue();
    }
    ArrayNode answer = Json.MAPPER.createArrayNode();
    for (IndexEntry entry : control.index(readyOnly)) {
      ObjectNode row = answer.addObject().put("name", entry.name());
      entry.version().ifPresent(v -> row.put("version", v));
      row.put("state", entry.state()).put("reason", entry.reason());
    }
    Json.send(res, Status.OK_200, answer);
  }

  private void load(ServerRequest req, ServerResponse res) {
    String model = req.path().pathParameters().get("model");
    List<String> parameters = parameters(readBody(req), "load");
    run(
        () -> {
          ModelRepositoryControl.refuseLoadParameters(model, parameters);
          control.load(model);
        });
    res.status(Status.OK_200).send();
  }

  private void unload(ServerRequest req, ServerResponse res) {
    String model = req.path().pathParameters().get("model");
    ObjectNode body = readBody(req);
    List<String> parameters = parameters(body, "unload");
    JsonNode dependents = body.path("parameters").path("unload_dependents");
    if (!dependents.isMissingNode() && !dependents.isBoolean()) {
      throw ApiException.badRequest(
          "the unload parameter 'unload_dependents' must be true or false, not " + dependents);
    }
    run(
        () -> {
          ModelRepositoryControl.refuseUnloadParameters(parameters);
          control.unload(model);
        });
    res.status(Status.OK_200).send();
  }

  /** The names under {@code parameters}; refuses any other top-level field. */
  private static List<String> parameters(ObjectNode body, String operation) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> fields = body.fieldNames(); fields.hasNext(); ) {
      String field = fields.next();
      if (!field.equals("parameters")) {
        throw ApiException.badRequest(
            "the " + operation + " request has an unknown field '" + field + "'");
      }
    }
    JsonNode parameters = body.path("parameters");
    if (parameters.isMissingNode() || parameters.isNull()) {
      return names;
    }
    if (!parameters.isObject()) {
      throw ApiException.badRequest(
          "the " + operation + " request's 'parameters' must be a JSON object");
    }
    parameters.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** The request's JSON object; an empty body is an empty object. */
  private static ObjectNode readBody(ServerRequest req) {
    String text =
        req.content().hasEntity()
            ? new String(req.content().as(byte[].class), StandardCharsets.UTF_8)
            : "";
    if (text.isBlank()) {
      return Json.object();
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(
          "the request body is not valid JSON: " + e.getOriginalMessage());
    }
    if (!(node instanceof ObjectNode object)) {
      throw ApiException.badRequest("the request body must be a JSON object");
    }
    return object;
  }

  /** Runs a repository operation, answering its refusal with the HTTP status that fits. */
  private static void run(Runnable operation) {
    try {
      operation.run();
    } catch (RepositoryRefusal e) {
      throw switch (e.kind()) {
        case UNKNOWN_MODEL -> ApiException.notFound(e.getMessage());
        case MODE, UNSUPPORTED, LOAD_FAILED, OVER_BUDGET -> ApiException.badRequest(e.getMessage());
      };
    }
  }
}
