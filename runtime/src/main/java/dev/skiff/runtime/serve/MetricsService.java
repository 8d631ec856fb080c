package dev.skiff.runtime.serve;

import dev.skiff.api.contract.RuntimeHttp;
import dev.skiff.runtime.metrics.RuntimeMetrics;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.io.ByteArrayOutputStream;

/** Serves {@code /metrics} in the Prometheus text format. */
public final class MetricsService implements HttpService {
  private final RuntimeMetrics metrics;

  public MetricsService(RuntimeMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get(
        RuntimeHttp.METRICS,
        (req, res) -> {
          ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
          metrics.write(out);
          res.header(HeaderNames.CONTENT_TYPE, RuntimeMetrics.contentType());
          res.send(out.toByteArray());
        });
  }
}
