package dev.skiff.runtime.serve;

import dev.skiff.runtime.metrics.RuntimeMetrics;
import dev.skiff.runtime.model.ModelVersion;
import dev.skiff.runtime.web.ApiException;
import dev.skiff.runtime.web.ErrorMapping;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;

/**
 * Counts and times every inference request in one place ({@code skiff_requests_total{code}}, {@code
 * skiff_request_duration_seconds}, {@code skiff_rejected_requests_total{reason}}), whichever
 * endpoint answered it. An endpoint marks a request as an inference of a version with {@link
 * #counts} once it has resolved the version; requests for unknown models and all other paths are
 * not counted here. A request is <em>rejected</em> when the server refused it: a 4xx, or a 503
 * because it is overloaded or the version is not ready; a 500 is a failure, not a refusal.
 */
final class RequestAccounting implements Filter {
  private final RuntimeMetrics metrics;

  RequestAccounting(RuntimeMetrics metrics) {
    this.metrics = metrics;
  }

  /** The version a request is an inference of, in the request's context. */
  private record Counted(String model, String version) {}

  /** Marks {@code req} as an inference of {@code version}, to be counted when it is answered. */
  static void counts(ServerRequest req, ModelVersion version) {
    req.context().register(new Counted(version.modelName(), version.name()));
  }

  @Override
  public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
    long start = System.nanoTime();
    try {
      chain.proceed(); // errors are mapped to their answer inside, by ErrorMapping
    } finally {
      Counted counted = req.context().get(Counted.class).orElse(null);
      if (counted != null) {
        ErrorMapping.answered(req)
            .filter(RequestAccounting::isRefusal)
            .ifPresent(e -> metrics.rejected(counted.model(), counted.version(), e.reason()));
        metrics.requestFinished(
            counted.model(),
            counted.version(),
            res.status().code(),
            (System.nanoTime() - start) / 1e9);
      }
    }
  }

  static boolean isRefusal(ApiException e) {
    return e.status() < 500
        || e.reason().equals(ApiException.OVERLOADED)
        || e.reason().equals(ApiException.UNAVAILABLE);
  }
}
