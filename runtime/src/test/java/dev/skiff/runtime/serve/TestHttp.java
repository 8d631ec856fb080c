package dev.skiff.runtime.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A real HTTP client against a server on a real port, with JSON helpers for assertions. */
final class TestHttp {
  static final ObjectMapper MAPPER = new ObjectMapper();
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  TestHttp(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  HttpResponse<String> get(String path, String... headers) {
    return send(builder(path, headers).GET().build());
  }

  HttpResponse<String> post(String path, String body, String... headers) {
    HttpRequest.Builder builder = builder(path, headers);
    // Like curl, ask before sending a large body: a server that refuses it (413) answers and closes
    // at once, and a client still writing the body could lose that answer to the reset.
    builder.expectContinue(body.length() > LARGE_BODY_CHARS);
    return send(builder.POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static final int LARGE_BODY_CHARS = 64 * 1024;

  HttpResponse<String> method(String method, String path) {
    return send(builder(path).method(method, HttpRequest.BodyPublishers.noBody()).build());
  }

  HttpRequest.Builder builder(String path, String... headers) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return builder;
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode json(HttpResponse<String> response) {
    try {
      return MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }
}
