package dev.skiff.runtime.web;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Gives every request an id (the client's {@code X-Request-Id} when it is sane, else a new UUID),
 * echoes it on every response, and makes it available to handlers, so logs, responses and feedback
 * can be joined.
 */
public final class RequestIds implements Filter {
  public static final HeaderName HEADER = HeaderNames.create("X-Request-Id");
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /** The id in the request context. */
  record RequestId(String value) {}

  @Override
  public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
    String id = idFrom(req.headers().first(HEADER));
    req.context().register(new RequestId(id));
    res.header(HEADER, id);
    chain.proceed();
  }

  /** The client's id when it is sane, else a new one. */
  public static String idFrom(Optional<String> header) {
    return header
        .filter(v -> SAFE.matcher(v).matches())
        .orElseGet(() -> UUID.randomUUID().toString());
  }

  /** The id the filter gave this request. */
  public static String of(ServerRequest req) {
    return req.context()
        .get(RequestId.class)
        .map(RequestId::value)
        .orElseGet(() -> UUID.randomUUID().toString());
  }
}
