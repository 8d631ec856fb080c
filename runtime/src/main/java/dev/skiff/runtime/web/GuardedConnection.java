package dev.skiff.runtime.web;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.common.socket.SocketContext;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.spi.ServerConnection;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One client connection served by Helidon's HTTP/1 connection, with what Helidon 4.5 does not do
 * itself: it knows which part of a request it is receiving and whether it is waiting for bytes, so
 * {@link GuardedHttp1Selector} can cut a slow client with 408, and it accepts an HTTP/1.0 request
 * (Helidon answers those 505), and it closes the connection after a response that says {@code
 * Connection: close}, as RFC 9112 section 9.6 requires (Helidon 4.5 reads on, for a next request
 * that never comes, until the idle timeout). It is the connection context Helidon's connection
 * sees: every call goes to Helidon's own context except {@link #dataReader()}, which reads through
 * here.
 */
final class GuardedConnection implements ConnectionContext, ServerConnection {
  /** What the connection is receiving, set by {@link RequestPhases} from Helidon's events. */
  enum Phase {
    /** Between requests, or reading a request line: the idle timeout applies. */
    IDLE,
    /** After the request line, until the end of the headers: the header deadline applies. */
    HEADERS,
    /** After the headers, until the response starts: the body read deadline applies. */
    BODY
  }

  /** Helidon's default longest request line, past which it answers 414 itself. */
  private static final int MAX_REQUEST_LINE = 4096;

  private static final int NOT_READING = 0;
  private static final int READING = 1;
  private static final int TIMED_OUT = 2;

  private final ConnectionContext helidon;
  private final DataReader reader;
  private final AtomicInteger readState = new AtomicInteger(NOT_READING);
  private volatile ServerConnection http1;
  private volatile Phase phase = Phase.IDLE;
  private volatile long phaseStartedNanos = System.nanoTime();
  private volatile long readStartedNanos;
  private boolean requestLineSeen;
  private volatile boolean closeAfterResponse;

  GuardedConnection(ConnectionContext helidon) {
    this.helidon = helidon;
    this.reader = DataReader.create(this::nextBytes);
  }

  /** Builds Helidon's connection on this context; called once, before {@link #handle}. */
  GuardedConnection serveWith(Function<ConnectionContext, ServerConnection> http1Connection) {
    this.http1 = http1Connection.apply(this);
    return this;
  }

  void enter(Phase next) {
    phaseStartedNanos = System.nanoTime();
    phase = next;
  }

  /** The request or its response said {@code Connection: close}: no request follows this one. */
  void closeAfterResponse() {
    closeAfterResponse = true;
  }

  /**
   * The reason this connection has waited too long for the client, or null while it is within its
   * deadlines.
   */
  String overdue(long nowNanos, Duration headerDeadline, Duration bodyReadDeadline) {
    if (readState.get() != READING) {
      return null;
    }
    return switch (phase) {
      case IDLE -> null;
      case HEADERS ->
          nowNanos - phaseStartedNanos > headerDeadline.toNanos()
              ? "the request headers did not arrive within " + headerDeadline.toSeconds() + " s"
              : null;
      case BODY ->
          nowNanos - readStartedNanos > bodyReadDeadline.toNanos()
              ? "no request body bytes arrived for " + bodyReadDeadline.toSeconds() + " s"
              : null;
    };
  }

  /**
   * Answers 408 and closes the connection, if it is still blocked waiting for the client: then it
   * writes nothing else, so the answer cannot interleave with a response.
   */
  void timeOut(String reason) {
    if (!readState.compareAndSet(READING, TIMED_OUT)) {
      return;
    }
    byte[] body = Json.error("request timeout: " + reason);
    String head =
        "HTTP/1.1 408 Request Timeout\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: "
            + body.length
            + "\r\n"
            + "Connection: close\r\n\r\n";
    try {
      helidon
          .dataWriter()
          .writeNow(
              BufferData.create(
                  BufferData.create(head.getBytes(StandardCharsets.US_ASCII)),
                  BufferData.create(body)));
    } catch (RuntimeException e) {
      // the client went away meanwhile; closing is all that is left
    }
    try {
      helidon.serverSocket().close();
    } catch (UncheckedIOException e) {
      // closed meanwhile (the client left, or Helidon's idle check got there first)
    }
  }

  /** Whether this connection waits for its next request and has done so for at least {@code d}. */
  boolean idleFor(long nowNanos, Duration d) {
    return phase == Phase.IDLE
        && readState.get() == READING
        && nowNanos - readStartedNanos >= d.toNanos();
  }

  long readStartedNanos() {
    return readStartedNanos;
  }

  private byte[] nextBytes() {
    if (closeAfterResponse && phase == Phase.IDLE) {
      // the response is out; Helidon wants the next request line, and there is none
      throw new CloseConnectionException("closed after a Connection: close response");
    }
    DataReader socket = helidon.dataReader();
    if (requestLineSeen) {
      return read(socket);
    }
    // Until the first request line is complete, hold its bytes: an HTTP/1.0 one is rewritten
    // whole, however the client split it into packets (bounded by Helidon's prologue limit).
    byte[] start = read(socket);
    while (Http10Requests.indexOf(start, (byte) '\n') < 0 && start.length <= MAX_REQUEST_LINE) {
      byte[] more = read(socket);
      byte[] joined = Arrays.copyOf(start, start.length + more.length);
      System.arraycopy(more, 0, joined, start.length, more.length);
      start = joined;
    }
    requestLineSeen = true;
    return Http10Requests.asHttp11(start);
  }

  /** The bytes the socket has, waiting for some if it has none (the wait the watchdog sees). */
  private byte[] read(DataReader socket) {
    if (socket.available() == 0) {
      readStartedNanos = System.nanoTime();
      if (!readState.compareAndSet(NOT_READING, READING)) {
        throw new CloseConnectionException("request timed out");
      }
      try {
        socket.pullData();
      } catch (RuntimeException e) {
        if (!readState.compareAndSet(READING, NOT_READING)) {
          throw new CloseConnectionException("request timed out", e);
        }
        throw e;
      }
      if (!readState.compareAndSet(READING, NOT_READING)) {
        // the watchdog answered 408 while the bytes arrived: this connection is over
        throw new CloseConnectionException("request timed out");
      }
    }
    return socket.readBytes(socket.available());
  }

  // ServerConnection: Helidon's connection does the work

  @Override
  public void handle(Limit limit) throws InterruptedException {
    http1.handle(limit);
  }

  @Override
  public Duration idleTime() {
    return http1.idleTime();
  }

  @Override
  public void close(boolean interrupt) {
    http1.close(interrupt);
  }

  // ConnectionContext: Helidon's own, except the reader

  @Override
  public DataReader dataReader() {
    return reader;
  }

  @Override
  public ListenerContext listenerContext() {
    return helidon.listenerContext();
  }

  @Override
  public ExecutorService executor() {
    return helidon.executor();
  }

  @Override
  public DataWriter dataWriter() {
    return helidon.dataWriter();
  }

  @Override
  public Router router() {
    return helidon.router();
  }

  @Override
  public Optional<ProxyProtocolData> proxyProtocolData() {
    return helidon.proxyProtocolData();
  }

  @Override
  public HelidonSocket serverSocket() {
    return helidon.serverSocket();
  }

  @Override
  public PeerInfo remotePeer() {
    return helidon.remotePeer();
  }

  @Override
  public PeerInfo localPeer() {
    return helidon.localPeer();
  }

  @Override
  public boolean isSecure() {
    return helidon.isSecure();
  }

  @Override
  public String socketId() {
    return helidon.socketId();
  }

  @Override
  public String childSocketId() {
    return helidon.childSocketId();
  }

  /** The phase listener's view: Helidon hands it the context it was given, which is this. */
  static Optional<GuardedConnection> of(SocketContext ctx) {
    return ctx instanceof GuardedConnection guarded ? Optional.of(guarded) : Optional.empty();
  }
}
