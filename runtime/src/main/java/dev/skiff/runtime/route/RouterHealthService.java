package dev.skiff.runtime.route;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.api.contract.RuntimeHttp;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The router's own probes. Ready (200) while at least one version is ready and the router is not
 * shutting down; the body lists every version's state with its declared and effective weight, and
 * why the config file on disk is not in effect when it is not, so {@code kubectl describe} and
 * {@code curl} tell what the router is doing.
 */
final class RouterHealthService implements HttpService {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Router router;
  private final Supplier<Optional<String>> configError;
  private final BooleanSupplier draining;

  RouterHealthService(
      Router router, Supplier<Optional<String>> configError, BooleanSupplier draining) {
    this.router = router;
    this.configError = configError;
    this.draining = draining;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get(
        RuntimeHttp.HEALTH_LIVE,
        (req, res) -> send(res, Status.OK_200, JSON.createObjectNode().put("status", "UP")));
    rules.get(RuntimeHttp.HEALTH_READY, this::ready);
  }

  private void ready(ServerRequest req, ServerResponse res) {
    RoutingTable table = router.table();
    boolean ready = table.anyReady() && !draining.getAsBoolean();
    ObjectNode body = JSON.createObjectNode();
    body.put("status", ready ? "UP" : "DOWN");
    if (draining.getAsBoolean()) {
      body.put("reason", "shutting down");
    }
    body.put("model", table.config().model());
    ObjectNode versions = body.putObject("versions");
    for (RouterConfig.Version version : table.config().versions()) {
      BackendState state = router.state(version);
      ObjectNode v = versions.putObject(version.name());
      v.put("url", version.url().toString());
      v.put("state", table.isReady(version.name()) ? "READY" : "NOT_READY");
      if (!state.ready()) {
        v.put("reason", state.detail());
      }
      v.put("since", state.since().toString());
      v.put("declaredWeight", version.weight());
      v.put("effectiveWeight", table.effectiveWeight(version.name()));
    }
    table
        .config()
        .mirror()
        .ifPresent(
            m -> body.putObject("mirror").put("version", m.version()).put("percent", m.percent()));
    configError.get().ifPresent(error -> body.put("configError", error));
    send(res, ready ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, body);
  }

  private static void send(ServerResponse res, Status status, ObjectNode body) {
    res.status(status);
    res.header(HeaderValues.CONTENT_TYPE_JSON);
    res.send(body.toString().getBytes(StandardCharsets.UTF_8));
  }
}
