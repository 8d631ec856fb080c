import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The latency floor of the machine the benchmarks run on: an HTTP/1.1 responder that does no work.
 * It reads each keep-alive request (headers, then a Content-Length body) on a platform thread per
 * connection and writes one fixed answer, the iris labels {@code [0, 2]}, so the load generator's
 * answer check passes. No server can answer faster through the same kernel, load generator and
 * virtual CPUs; the suite runs it at the open-loop rates of benchmark 2 so the results show how much
 * of a server's p99 the machine itself adds (scheduling delays, CPU steal).
 *
 * <p>Not a server: it ignores the method, path and body. Usage: {@code java FloorServer.java
 * <port>} (binds 127.0.0.1; port 0 picks one and prints it).
 */
public final class FloorServer {
  private static final byte[] ANSWER;

  static {
    String body = "{\"model_name\":\"floor\",\"outputs\":[{\"name\":\"label\",\"datatype\":\"INT64\","
        + "\"shape\":[2],\"data\":[0,2]}]}";
    ANSWER = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
  }

  public static void main(String[] args) throws IOException {
    try (ServerSocket listener =
        new ServerSocket(Integer.parseInt(args[0]), 512, InetAddress.getLoopbackAddress())) {
      System.out.println("floor server listening on " + listener.getLocalPort());
      while (true) {
        Socket socket = listener.accept();
        socket.setTcpNoDelay(true);
        Thread.ofPlatform().daemon().start(() -> serve(socket));
      }
    }
  }

  private static void serve(Socket socket) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      while (true) {
        long length = readHeaders(in);
        if (length < 0) {
          return;
        }
        in.skipNBytes(length);
        out.write(ANSWER);
        out.flush();
      }
    } catch (IOException e) {
      // the client closed the connection
    }
  }

  /** Reads one request's header block; returns its Content-Length (0 if none), -1 at the end. */
  private static long readHeaders(InputStream in) throws IOException {
    long length = 0;
    StringBuilder line = new StringBuilder();
    while (true) {
      line.setLength(0);
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c != '\r') {
          line.append((char) c);
        }
      }
      if (c == -1) {
        return -1;
      }
      if (line.isEmpty()) {
        return length;
      }
      String header = line.toString();
      if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Long.parseLong(header.substring(15).strip());
      }
    }
  }
}
