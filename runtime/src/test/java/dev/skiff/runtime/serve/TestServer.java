package dev.skiff.runtime.serve;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A runtime on a free port whose models finished loading, with a client for it. Test classes hold
 * one in an {@code @AutoClose} static field.
 */
final class TestServer implements AutoCloseable {
  static final Path TEST_MODELS = Path.of("src/test/resources/models");

  private final ModelServer server;
  private final TestHttp http;

  private TestServer(ModelServer server) {
    this.server = server;
    this.http = new TestHttp(server.port());
  }

  static TestServer start(Path repository) {
    return start(ServeOptions.builder(repository).port(0).build());
  }

  static TestServer start(ServeOptions options) {
    ModelServer server = ModelServer.start(options);
    try {
      server.awaitModelsLoaded(Duration.ofSeconds(60));
    } catch (InterruptedException e) {
      server.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while models loaded", e);
    }
    return new TestServer(server);
  }

  TestHttp http() {
    return http;
  }

  int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
  }
}
