package dev.skiff.runtime.web;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Lets Helidon's HTTP/1.1 connection serve an HTTP/1.0 request (curl -0, ApacheBench, nginx's
 * default {@code proxy_http_version 1.0}), which Helidon 4.5 refuses with 505. The request line
 * says 1.1 and a {@code Connection: close} header follows it, so the one answer carries a length
 * and the connection closes after it, as HTTP/1.0 expects without keep-alive. HTTP/1.1 answers to
 * HTTP/1.0 requests are what RFC 9110 section 6.2 asks for; a 1.0 request must still name its
 * {@code Host} (every current client sends one).
 */
final class Http10Requests {
  private static final byte[] HTTP_10 = " HTTP/1.0\r".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLOSE = "Connection: close\r\n".getBytes(StandardCharsets.US_ASCII);

  private Http10Requests() {}

  /** Whether {@code firstLine} (up to its LF, excluded) is an HTTP/1.0 request line. */
  private static boolean isHttp10(byte[] bytes, int lineFeed) {
    int start = lineFeed - HTTP_10.length;
    return start > 0 && Arrays.equals(bytes, start, lineFeed, HTTP_10, 0, HTTP_10.length);
  }

  /**
   * The first bytes of a connection with an HTTP/1.0 request line rewritten as described above; any
   * other bytes unchanged.
   */
  static byte[] asHttp11(byte[] bytes) {
    int lineFeed = indexOf(bytes, (byte) '\n');
    if (lineFeed < 0 || !isHttp10(bytes, lineFeed)) {
      return bytes;
    }
    byte[] rewritten = new byte[bytes.length + CLOSE.length];
    System.arraycopy(bytes, 0, rewritten, 0, lineFeed + 1);
    rewritten[lineFeed - 2] = '1'; // "HTTP/1.0\r\n": the 0 sits two bytes before the LF
    System.arraycopy(CLOSE, 0, rewritten, lineFeed + 1, CLOSE.length);
    System.arraycopy(
        bytes, lineFeed + 1, rewritten, lineFeed + 1 + CLOSE.length, bytes.length - lineFeed - 1);
    return rewritten;
  }

  static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
