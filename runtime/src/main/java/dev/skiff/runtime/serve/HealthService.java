package dev.skiff.runtime.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.api.contract.RuntimeHttp;
import dev.skiff.runtime.model.ModelRepository;
import dev.skiff.runtime.model.ModelVersion;
import dev.skiff.runtime.model.ServedModel;
import dev.skiff.runtime.web.Json;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.function.BooleanSupplier;

/**
 * Kubernetes probes: live while the process serves HTTP; ready only when every model is loaded and
 * warmed up (503 before, with each version's state so {@code kubectl describe} tells why). {@code
 * GET /} is KServe V1's liveness check and answers as KServe's model server does.
 */
public final class HealthService implements HttpService {
  private final ModelRepository repository;
  private final BooleanSupplier shuttingDown;

  /** {@code shuttingDown}: whether the server is draining before it stops (ready is then 503). */
  public HealthService(ModelRepository repository, BooleanSupplier shuttingDown) {
    this.repository = repository;
    this.shuttingDown = shuttingDown;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get(RuntimeHttp.HEALTH_LIVE, (req, res) -> Json.send(res, Status.OK_200, status("UP")));
    rules.get(RuntimeHttp.HEALTH_READY, this::ready);
    rules.get(
        "/", (req, res) -> Json.send(res, Status.OK_200, Json.object().put("status", "alive")));
  }

  private void ready(ServerRequest req, ServerResponse res) {
    boolean stopping = shuttingDown.getAsBoolean();
    boolean ready = repository.isReady() && !stopping;
    ObjectNode body = status(ready ? "UP" : "DOWN");
    if (stopping) {
      body.put("reason", "shutting down");
    }
    ObjectNode models = body.putObject("models");
    for (ServedModel model : repository.models()) {
      ObjectNode versions = models.putObject(model.name());
      for (ModelVersion version : model.versions()) {
        ObjectNode v = versions.putObject(version.name()).put("state", version.state().name());
        version.failure().ifPresent(f -> v.put("error", f));
      }
    }
    repository
        .brokenModels()
        .forEach((folder, error) -> models.putObject(folder).put("error", error));
    Json.send(res, ready ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, body);
  }

  private static ObjectNode status(String status) {
    return Json.object().put("status", status);
  }
}
