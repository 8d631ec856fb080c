package dev.skiff.runtime.web;

import io.helidon.http.encoding.ContentDecoder;
import io.helidon.http.encoding.ContentEncoder;
import io.helidon.http.encoding.ContentEncoding;
import io.helidon.http.encoding.ContentEncodingContext;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * Request bodies sent with {@code Content-Encoding: gzip} or {@code deflate} (tritonclient's {@code
 * request_compression_algorithm}), inflated with {@code java.util.zip} while the handler reads
 * them.
 *
 * <p>Why not Helidon's {@code helidon-http-encoding-gzip}/{@code -deflate}: their decoders inflate
 * without a bound, so the payload limit would apply only to the compressed bytes and a small
 * compression bomb would fill the heap; they also turn on response compression. Here the limit
 * counts the inflated bytes (413 past it), a corrupt stream is a 400 that says so, and responses
 * are sent as they are. Encodings Helidon then refuses before routing become 415 in {@link
 * ErrorMapping}.
 */
public final class RequestDecompression {
  /** The {@code Content-Encoding} values request bodies may have, besides {@code identity}. */
  public static final List<String> ENCODINGS = List.of("gzip", "deflate");

  private RequestDecompression() {}

  /** Helidon's decoding context with gzip and deflate, each bounded at {@code maxInflatedBytes}. */
  public static ContentEncodingContext context(long maxInflatedBytes) {
    return ContentEncodingContext.builder()
        .contentEncodingsDiscoverServices(false)
        .addContentEncoding(new Inflating("gzip", maxInflatedBytes))
        .addContentEncoding(new Inflating("deflate", maxInflatedBytes))
        .build();
  }

  /** Decoding only, for one of {@link #ENCODINGS}. */
  private record Inflating(String name, long maxInflatedBytes) implements ContentEncoding {
    @Override
    public String type() {
      return "skiff-" + name;
    }

    @Override
    public Set<String> ids() {
      return Set.of(name);
    }

    @Override
    public boolean supportsEncoding() {
      return false;
    }

    @Override
    public boolean supportsDecoding() {
      return true;
    }

    @Override
    public ContentDecoder decoder() {
      return network -> new InflatedBody(name, network, maxInflatedBytes);
    }

    @Override
    public ContentEncoder encoder() {
      return ContentEncoder.NO_OP;
    }
  }

  /**
   * The inflated body, opened on the first read (a gzip stream reads its header when it opens, and
   * a handler's failure belongs to the request, not to Helidon's set-up), counting what it gives.
   */
  private static final class InflatedBody extends FilterInputStream {
    private final String encoding;
    private final long limit;
    private boolean opened;
    private long given;

    InflatedBody(String encoding, InputStream network, long limit) {
      super(network);
      this.encoding = encoding;
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      try {
        if (!opened) {
          in = "gzip".equals(encoding) ? new GZIPInputStream(in) : new InflaterInputStream(in);
          opened = true;
        }
        int n = in.read(buffer, offset, length);
        if (n > 0) {
          given += n;
          if (limit >= 0 && given > limit) {
            throw ApiException.payloadTooLarge(
                "the request body inflates ("
                    + encoding
                    + ") to more than the server's limit of "
                    + limit
                    + " bytes (--max-payload-bytes)");
          }
        }
        return n;
      } catch (ZipException | EOFException e) {
        throw ApiException.badRequest(
            "the request body is not valid " + encoding + " (Content-Encoding): " + e.getMessage());
      }
    }

    /** Reads through {@link #read(byte[], int, int)}, so skipped bytes count too. */
    @Override
    public long skip(long n) throws IOException {
      byte[] scratch = new byte[(int) Math.min(n, 8192)];
      long skipped = 0;
      while (skipped < n) {
        int got = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
        if (got < 0) {
          break;
        }
        skipped += got;
      }
      return skipped;
    }

    @Override
    public int available() throws IOException {
      return opened ? in.available() : 0;
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
