package dev.skiff.runtime.route;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.http.ServerRequest;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client's request body on its way to a backend. A large body is streamed (never held whole in
 * memory) unless the request is mirrored, when a body up to the mirror limit is read into memory
 * once so it can be sent twice. A small one (a declared length of at most {@value
 * #SMALL_BODY_BYTES} bytes, like nearly every inference request) is read whole: it then goes out
 * with its headers in one write, without the stream buffers a streamed body costs per request. A
 * streamed body can be sent again (for a retry) only while no byte of it has been read.
 */
final class RequestBody {
  /** Bodies (and responses) with a declared length up to this are read whole, not streamed. */
  static final int SMALL_BODY_BYTES = 64 * 1024;

  private final byte[] bytes;
  private final CountingStream stream;
  private final long length;

  private RequestBody(byte[] bytes, CountingStream stream, long length) {
    this.bytes = bytes;
    this.stream = stream;
    this.length = length;
  }

  /**
   * The request's body; read into memory when it is small, or when {@code bufferUpTo >= 0} and the
   * body is at most that many bytes; streamed otherwise.
   */
  static RequestBody of(ServerRequest req, int bufferUpTo) {
    if (!req.content().hasEntity()) {
      return new RequestBody(new byte[0], null, 0);
    }
    OptionalLong declared = req.headers().contentLength();
    InputStream in = req.content().inputStream();
    if (declared.isPresent() && declared.getAsLong() <= Math.max(bufferUpTo, SMALL_BODY_BYTES)) {
      byte[] whole;
      try {
        whole = in.readNBytes((int) declared.getAsLong());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new RequestBody(whole, null, whole.length);
    }
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

  /** Whether {@link #sendWith} can still send the whole body. */
  boolean replayable() {
    return bytes != null || stream.count.get() == 0;
  }

  /**
   * Sends {@code request} with this body and returns the backend's answer (its body not yet read).
   * A body in memory goes out with its {@code Content-Length}; a streamed one keeps the client's
   * {@code Content-Length}, or is sent chunked when the client sent it chunked.
   */
  Http1ClientResponse sendWith(Http1ClientRequest request) {
    if (bytes != null) {
      return request.submit(bytes);
    }
    if (length >= 0) {
      request.header(HeaderNames.CONTENT_LENGTH, Long.toString(length));
    } else {
      request.header(HeaderValues.TRANSFER_ENCODING_CHUNKED);
    }
    return request.outputStream(
        out -> {
          stream.transferTo(out);
          out.close();
        });
  }

  /** Counts what was read and ignores close, so an unread stream can back a second attempt. */
  private static final class CountingStream extends FilterInputStream {
    private final AtomicLong count = new AtomicLong();

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count.incrementAndGet();
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        count.addAndGet(n);
      }
      return n;
    }

    @Override
    public void close() {}
  }
}
