package dev.skiff.runtime.route;

import io.helidon.webserver.http.ServerRequest;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A client's request body on its way to a backend. It is streamed (never held whole in memory)
 * unless the request is mirrored, when a body up to the mirror limit is read into memory once so it
 * can be sent twice. A streamed body can be sent again (for a retry) only while no byte of it has
 * been read.
 */
final class RequestBody {
  private final byte[] bytes;
  private final CountingStream stream;
  private final long length;

  private RequestBody(byte[] bytes, CountingStream stream, long length) {
    this.bytes = bytes;
    this.stream = stream;
    this.length = length;
  }

  /**
   * The request's body; read into memory when {@code bufferUpTo >= 0} and the body is at most that
   * many bytes, streamed otherwise.
   */
  static RequestBody of(ServerRequest req, int bufferUpTo) {
    if (!req.content().hasEntity()) {
      return new RequestBody(new byte[0], null, 0);
    }
    OptionalLong declared = req.headers().contentLength();
    InputStream in = req.content().inputStream();
    if (bufferUpTo < 0 || (declared.isPresent() && declared.getAsLong() > bufferUpTo)) {
      return new RequestBody(null, new CountingStream(in), declared.orElse(-1));
    }
    byte[] prefix;
    try {
      prefix = in.readNBytes(bufferUpTo + 1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (prefix.length <= bufferUpTo) {
      return new RequestBody(prefix, null, prefix.length);
    }
    InputStream rest = new SequenceInputStream(new ByteArrayInputStream(prefix), in);
    return new RequestBody(null, new CountingStream(rest), declared.orElse(-1));
  }

  /** The whole body when it was read into memory. */
  Optional<byte[]> bytes() {
    return Optional.ofNullable(bytes);
  }

  /** Whether {@link #publisher()} can still send the whole body. */
  boolean replayable() {
    return bytes != null || stream.count == 0;
  }

  /** A publisher for one send; keeps the client's {@code Content-Length} when it had one. */
  HttpRequest.BodyPublisher publisher() {
    if (bytes != null) {
      return bytes.length == 0
          ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofByteArray(bytes);
    }
    HttpRequest.BodyPublisher streamed = HttpRequest.BodyPublishers.ofInputStream(() -> stream);
    return length > 0 ? HttpRequest.BodyPublishers.fromPublisher(streamed, length) : streamed;
  }

  /** Counts what was read and ignores close, so an unread stream can back a second attempt. */
  private static final class CountingStream extends FilterInputStream {
    private volatile long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public void close() {}
  }
}
