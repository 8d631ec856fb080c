package dev.skiff.runtime.web;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Maps every failure to a JSON {@code {"error": ...}} answer in one place: {@link ApiException}
 * keeps its status; Helidon's own transport errors (body over the limit, malformed HTTP) get the
 * same JSON shape; anything unexpected becomes a 500 whose details stay in the log.
 */
public final class ErrorMapping {
  private static final Logger LOG = Logger.getLogger(ErrorMapping.class.getName());

  private ErrorMapping() {}

  public static void register(HttpRouting.Builder routing) {
    routing.error(
        ApiException.class,
        (req, res, e) -> {
          req.context().register(new Answered(e));
          send(res, e);
        });
    routing.error(
        RequestException.class,
        (req, res, e) -> {
          int status = e.status().code();
          Json.sendError(res, status, transportMessage(status, e.getMessage()));
        });
    routing.error(
        HttpException.class,
        (req, res, e) -> {
          // Helidon's own refusals inside routing (e.g. static content: 416 for a Range beyond
          // the end of a file, 400 for a malformed Range) keep their 4xx instead of becoming 500
          int status = e.status().code();
          if (status >= 500) {
            LOG.log(Level.SEVERE, "unhandled error for " + req.prologue(), e);
            Json.sendError(res, 500, "internal server error; see the server log");
            return;
          }
          if (status == Status.REQUESTED_RANGE_NOT_SATISFIABLE_416.code()) {
            Json.sendError(
                res, status, "the Range header asks for bytes beyond the end of the resource");
            return;
          }
          Json.sendError(res, status, transportMessage(status, e.getMessage()));
        });
    routing.error(
        Exception.class,
        (req, res, e) -> {
          String chunk = malformedChunk(e);
          if (chunk != null) {
            res.header(HeaderNames.CONNECTION, "close");
            Json.sendError(res, 400, chunk);
            return;
          }
          LOG.log(Level.SEVERE, "unhandled error for " + req.prologue(), e);
          Json.sendError(res, 500, "internal server error; see the server log");
        });
  }

  /** The {@link ApiException} a request was answered with, kept in its context. */
  private record Answered(ApiException error) {}

  /**
   * The {@link ApiException} this request was answered with, once routing is done; empty when it
   * succeeded or failed in another way.
   */
  public static Optional<ApiException> answered(ServerRequest req) {
    return req.context().get(Answered.class).map(Answered::error);
  }

  /** Answers {@code e} as the error mapping does, for filters that refuse before routing. */
  public static void send(ServerResponse res, ApiException e) {
    if (e.retryAfterSeconds() > 0) {
      res.header(HeaderNames.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
    }
    if (e.status() == 401) {
      res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"skiff\"");
    }
    Json.sendError(res, e.status(), e.getMessage());
  }

  /** JSON bodies for errors Helidon answers before routing, on a server that inflates nothing. */
  public static DirectHandlers directHandlers() {
    return directHandlers(List.of());
  }

  /**
   * JSON bodies with a request id for errors Helidon answers before routing (e.g. 413 on
   * Content-Length). A body whose {@code Content-Encoding} is not among {@code decodedEncodings}
   * gets 415 naming them (RFC 7694); Helidon itself calls that a 400.
   */
  public static DirectHandlers directHandlers(List<String> decodedEncodings) {
    DirectHandler json =
        (request, eventType, status, headers, message) -> {
          Optional<String> encoding = request.headers().first(HeaderNames.CONTENT_ENCODING);
          boolean undecodable =
              status.code() == Status.BAD_REQUEST_400.code()
                  && encoding.isPresent()
                  && !decodedEncodings.contains(encoding.get().strip().toLowerCase(Locale.ROOT))
                  && !"identity".equalsIgnoreCase(encoding.get().strip());
          Status answer = undecodable ? Status.UNSUPPORTED_MEDIA_TYPE_415 : status;
          String error =
              undecodable
                  ? unsupportedEncoding(encoding.get(), decodedEncodings)
                  : transportMessage(status.code(), message);
          return DirectHandler.TransportResponse.builder()
              .status(answer)
              .headers(headers)
              .header(HeaderNames.CONTENT_TYPE, "application/json")
              .header(
                  RequestIds.HEADER, RequestIds.idFrom(request.headers().first(RequestIds.HEADER)))
              .entity(Json.error(error))
              .build();
        };
    DirectHandler refusingBadTokens = new BadTokenHandler(json);
    DirectHandlers.Builder builder = DirectHandlers.builder();
    for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
      builder.addHandler(type, refusingBadTokens);
    }
    return builder.build();
  }

  /**
   * Helidon 4.5 reports a request line it cannot parse (e.g. a NUL byte in the method) as an
   * internal error, before any request exists, and hands direct handlers only a generic message. An
   * internal error with no request method is therefore the client's malformed request line.
   */
  private static final class BadTokenHandler implements DirectHandler {
    private final DirectHandler json;

    BadTokenHandler(DirectHandler json) {
      this.json = json;
    }

    @Override
    public TransportResponse handle(
        TransportRequest request,
        EventType eventType,
        Status status,
        ServerResponseHeaders headers,
        String message) {
      if (eventType == EventType.INTERNAL_ERROR && request.method().isBlank()) {
        headers.set(HeaderNames.CONNECTION, "close");
        return json.handle(
            request,
            EventType.BAD_REQUEST,
            Status.BAD_REQUEST_400,
            headers,
            "malformed request line: the method must be an HTTP token without control characters");
      }
      return json.handle(request, eventType, status, headers, message);
    }
  }

  /**
   * The client's mistake when {@code e} is Helidon's HTTP/1 reader refusing a chunk-size line of a
   * chunked request body, else null.
   */
  static String malformedChunk(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof NumberFormatException) {
        for (StackTraceElement frame : t.getStackTrace()) {
          if (frame.getClassName().equals("io.helidon.webserver.http1.Http1Connection")
              && frame.getMethodName().equals("readNextChunk")) {
            return "malformed chunked request body: a chunk-size line must be a hexadecimal size"
                + " (chunk extensions such as '70;ext=1' are not accepted): "
                + t.getMessage();
          }
        }
      }
    }
    return null;
  }

  private static String unsupportedEncoding(String encoding, List<String> decodedEncodings) {
    return "Content-Encoding '"
        + encoding
        + "' is not supported; "
        + (decodedEncodings.isEmpty()
            ? "send the request body uncompressed"
            : "send it uncompressed or as " + String.join(" or ", decodedEncodings));
  }

  private static String transportMessage(int status, String message) {
    if (status == Status.REQUEST_ENTITY_TOO_LARGE_413.code()) {
      return "the request body is larger than the server's limit (--max-payload-bytes)";
    }
    return message == null || message.isBlank() ? Status.create(status).reasonPhrase() : message;
  }
}
