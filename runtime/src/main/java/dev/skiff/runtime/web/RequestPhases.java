package dev.skiff.runtime.web;

import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Tells each {@link GuardedConnection} which part of a request it is receiving, from the events
 * Helidon's HTTP/1 connection reports: request line read and headers read (on the receiving side),
 * response status sent (on the sending side, whose own headers event must not count), and whether
 * either side asked to close the connection after the response.
 */
final class RequestPhases {
  /** Register as a receive listener. */
  static final Http1ConnectionListener RECEIVED =
      new Http1ConnectionListener() {
        @Override
        public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
          GuardedConnection.of(ctx).ifPresent(c -> c.enter(GuardedConnection.Phase.HEADERS));
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
          GuardedConnection.of(ctx)
              .ifPresent(
                  c -> {
                    c.enter(GuardedConnection.Phase.BODY);
                    if (headers.containsToken(HeaderValues.CONNECTION_CLOSE)) {
                      c.closeAfterResponse();
                    }
                  });
        }
      };

  /** Register as a send listener. */
  static final Http1ConnectionListener SENT =
      new Http1ConnectionListener() {
        @Override
        public void status(ConnectionContext ctx, Status status) {
          // 100 Continue asks for the body: the client is still expected to send it
          if (status.code() >= 200) {
            GuardedConnection.of(ctx).ifPresent(c -> c.enter(GuardedConnection.Phase.IDLE));
          }
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
          if (headers.containsToken(HeaderValues.CONNECTION_CLOSE)) {
            GuardedConnection.of(ctx).ifPresent(GuardedConnection::closeAfterResponse);
          }
        }
      };

  private RequestPhases() {}
}
