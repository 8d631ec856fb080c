package dev.skiff.runtime.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The HTTP plumbing serve and route share, in Helidon's in-process routing: one JSON error shape
 * for every failure, 405 with Allow for a wrong method, and a request id on every answer.
 */
@RoutingTest
class ErrorMappingTest {
  private final DirectClient client;

  ErrorMappingTest(DirectClient client) {
    this.client = client;
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    routing.addFilter(new RequestIds());
    routing
        .get(
            "/refused",
            (req, res) -> {
              throw ApiException.overloaded("the server is at capacity", 1);
            })
        .get(
            "/denied",
            (req, res) -> {
              throw ApiException.unauthorized("no token");
            })
        .get(
            "/bug",
            (req, res) -> {
              throw new IllegalStateException("secret detail");
            })
        .get("/echo", (req, res) -> res.send(RequestIds.of(req)))
        .register(
            "/only-post",
            rules -> {
              rules.post("/", (req, res) -> res.send("posted"));
              MethodNotAllowed.register(rules, List.of("/"), "POST");
            });
    ErrorMapping.register(routing);
  }

  @Test
  void apiErrorsKeepTheirStatusAndHeaders() {
    try (Http1ClientResponse res = client.get("/refused").request()) {
      assertThat(res.status()).isEqualTo(Status.SERVICE_UNAVAILABLE_503);
      assertThat(res.headers().get(HeaderNames.RETRY_AFTER).get()).isEqualTo("1");
      assertThat(res.headers().contentType().orElseThrow().text()).startsWith("application/json");
      assertThat(res.as(String.class)).isEqualTo("{\"error\":\"the server is at capacity\"}");
    }
    try (Http1ClientResponse res = client.get("/denied").request()) {
      assertThat(res.status()).isEqualTo(Status.UNAUTHORIZED_401);
      assertThat(res.headers().get(HeaderNames.WWW_AUTHENTICATE).get())
          .isEqualTo("Bearer realm=\"skiff\"");
    }
  }

  @Test
  void anUnexpectedFailureIsA500WithoutItsDetails() {
    try (Http1ClientResponse res = client.get("/bug").request()) {
      assertThat(res.status()).isEqualTo(Status.INTERNAL_SERVER_ERROR_500);
      assertThat(res.as(String.class))
          .isEqualTo("{\"error\":\"internal server error; see the server log\"}")
          .doesNotContain("secret");
    }
  }

  @Test
  void aWrongMethodIs405NamingTheRightOne() {
    try (Http1ClientResponse res = client.get("/only-post").request()) {
      assertThat(res.status()).isEqualTo(Status.METHOD_NOT_ALLOWED_405);
      assertThat(res.headers().get(HeaderNames.ALLOW).get()).isEqualTo("POST");
      assertThat(res.as(String.class)).contains("GET is not allowed here; use POST");
    }
  }

  @Test
  void aSaneRequestIdIsEchoedAndAnythingElseReplaced() {
    try (Http1ClientResponse res =
        client.get("/echo").header(RequestIds.HEADER, "client-id.42").request()) {
      assertThat(res.headers().get(RequestIds.HEADER).get()).isEqualTo("client-id.42");
      assertThat(res.as(String.class)).isEqualTo("client-id.42");
    }
    try (Http1ClientResponse res =
        client.get("/echo").header(RequestIds.HEADER, "no spaces <allowed>").request()) {
      String id = res.headers().get(RequestIds.HEADER).get();
      assertThat(id).matches("[0-9a-f-]{36}");
      assertThat(res.as(String.class)).isEqualTo(id);
    }
  }
}
