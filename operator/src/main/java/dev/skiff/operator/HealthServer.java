package dev.skiff.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * {@code /healthz} (process alive), {@code /readyz} (operator started, informers healthy) and
 * {@code /metrics} (Prometheus text) on one small port, with the JDK's HTTP server.
 */
public final class HealthServer implements AutoCloseable {

  private final HttpServer server;

  public HealthServer(
      int port, BooleanSupplier live, BooleanSupplier ready, PrometheusRegistry registry)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 0);
    server.setExecutor(Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().factory()));
    server.createContext("/healthz", ex -> probe(ex, live.getAsBoolean()));
    server.createContext("/readyz", ex -> probe(ex, ready.getAsBoolean()));
    PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    server.createContext(
        "/metrics",
        ex -> {
          ByteArrayOutputStream body = new ByteArrayOutputStream();
          writer.write(body, registry.scrape());
          ex.getResponseHeaders().set("Content-Type", PrometheusTextFormatWriter.CONTENT_TYPE);
          send(ex, 200, body.toByteArray());
        });
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void probe(HttpExchange ex, boolean ok) throws IOException {
    send(ex, ok ? 200 : 503, (ok ? "ok\n" : "not ready\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(1);
  }
}
