import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * HTTP load generator for Skiff's benchmarks: one file, no dependencies, run with the JDK's source
 * launcher ({@code java bench/loadgen/LoadGen.java --url ... --body ...}).
 *
 * <p>Two modes. {@code closed}: N connections each send the next request as soon as the previous
 * answer is read (maximum throughput). {@code open}: requests are due at fixed intended times
 * (start + i / rate), each connection takes the next due request, and latency is measured from the
 * intended time, not from when a free connection got round to sending it, so a stalled server shows
 * up as latency instead of silently lowering the offered load (no coordinated omission).
 *
 * <p>Every non-2xx answer, I/O failure and wrong answer counts as an error. Correctness is checked
 * on a sample (the first response of each connection and every {@code --check-every}th after): the
 * body must match {@code --expect} (a regular expression, e.g. the expected label).
 *
 * <p>Two clients: {@code socket} (default) writes pre-built HTTP/1.1 requests on plain keep-alive
 * sockets and parses the answer's status, Content-Length or chunked body; {@code jdk} uses {@link
 * HttpClient} (HTTP/1.1). The socket client exists because HttpClient's own CPU cost caps the rate
 * one core can offer; bench/README.md gives the measured difference.
 *
 * <p>Output: one JSON object on stdout with count, errors, throughput and latency percentiles in
 * microseconds, from a log-linear histogram (relative error under 1%).
 */
public final class LoadGen {

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    byte[] body = Files.readAllBytes(Path.of(o.body));
    Pattern expect = o.expect == null ? null : Pattern.compile(o.expect, Pattern.DOTALL);

    if (o.warmupSeconds > 0) {
      run(o, body, expect, o.warmupSeconds);
    }
    Result r = run(o, body, expect, o.durationSeconds);
    System.out.println(r.toJson(o, body.length));
  }

  /** One measured phase: fresh connections, fresh histograms. */
  static Result run(Options o, byte[] body, Pattern expect, double seconds) throws Exception {
    int n = o.connections;
    Worker[] workers = new Worker[n];
    CountDownLatch ready = new CountDownLatch(n);
    CountDownLatch go = new CountDownLatch(1);
    AtomicLong nextIndex = new AtomicLong();
    long intervalNanos = o.rate > 0 ? Math.round(1e9 / o.rate) : 0;
    long[] startHolder = new long[1];
    long durationNanos = (long) (seconds * 1e9);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Worker w = new Worker(o, body, expect, i);
      workers[i] = w;
      Thread t =
          Thread.ofPlatform()
              .name("loadgen-" + i)
              .daemon()
              .start(
                  () -> {
                    try {
                      w.connect();
                    } catch (IOException e) {
                      w.ioErrors++;
                    }
                    ready.countDown();
                    try {
                      go.await();
                    } catch (InterruptedException e) {
                      return;
                    }
                    long start = startHolder[0];
                    long end = start + durationNanos;
                    if (intervalNanos == 0) {
                      w.closedLoop(end);
                    } else {
                      w.openLoop(start, end, intervalNanos, nextIndex);
                    }
                    w.close();
                  });
      threads.add(t);
    }
    ready.await();
    startHolder[0] = System.nanoTime();
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    long elapsed = System.nanoTime() - startHolder[0];
    Result r = new Result();
    r.elapsedNanos = Math.max(elapsed, durationNanos);
    r.measuredNanos = durationNanos;
    for (Worker w : workers) {
      r.add(w);
    }
    return r;
  }

  /** One connection and its own counters (merged at the end, so the hot path shares nothing). */
  static final class Worker {
    final Options o;
    final byte[] body;
    final Pattern expect;
    final int id;
    final Histogram histogram = new Histogram();
    long ok;
    long httpErrors;
    long ioErrors;
    long wrong;
    long checked;
    long responseBytes;
    long late;
    Client client;

    Worker(Options o, byte[] body, Pattern expect, int id) {
      this.o = o;
      this.body = body;
      this.expect = expect;
      this.id = id;
    }

    void connect() throws IOException {
      Client c = o.client.equals("jdk") ? new JdkClient(o, body) : new SocketClient(o, body);
      c.open();
      client = c;
    }

    void closedLoop(long end) {
      long n = 0;
      while (true) {
        long t0 = System.nanoTime();
        if (t0 >= end) {
          return;
        }
        once(t0, n++);
      }
    }

    void openLoop(long start, long end, long interval, AtomicLong nextIndex) {
      while (true) {
        long i = nextIndex.getAndIncrement();
        long intended = start + i * interval;
        if (intended >= end) {
          return;
        }
        long now = System.nanoTime();
        while (now < intended) {
          LockSupport.parkNanos(intended - now);
          now = System.nanoTime();
        }
        if (now - intended > 1_000_000) {
          late++;
        }
        once(intended, i);
      }
    }

    /** Sends one request; latency counts from {@code from} (send time or intended time). */
    void once(long from, long n) {
      boolean check = expect != null && (n == 0 || n % o.checkEvery == id % o.checkEvery);
      try {
        if (client == null) {
          connect();
        }
        Response response = client.send(check);
        long latency = System.nanoTime() - from;
        responseBytes += response.length;
        if (response.status / 100 != 2) {
          httpErrors++;
          report("HTTP " + response.status + ": " + abbreviate(response.text()));
        } else if (check && !expect.matcher(response.text()).find()) {
          wrong++;
          report("wrong answer: " + abbreviate(response.text()));
        } else {
          ok++;
          histogram.record(latency);
        }
        if (check) {
          checked++;
        }
      } catch (IOException e) {
        ioErrors++;
        report(e.toString());
        close();
        client = null;
        LockSupport.parkNanos(10_000_000); // a refused connection must not become a busy loop
      }
    }

    void close() {
      if (client != null) {
        client.close();
      }
    }
  }

  /** Only the first few failures are printed (stderr), across all connections. */
  static final AtomicLong PRINTED = new AtomicLong();

  static void report(String message) {
    if (PRINTED.incrementAndGet() <= 5) {
      System.err.println("loadgen: " + message);
    }
  }

  static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }

  record Response(int status, long length, byte[] body) {
    String text() {
      return body == null ? "" : new String(body, StandardCharsets.ISO_8859_1);
    }
  }

  interface Client {
    void open() throws IOException;

    /** Sends the request and reads the whole answer; keeps the body only when asked to. */
    Response send(boolean keepBody) throws IOException;

    void close();
  }

  /** HTTP/1.1 on a plain socket: the request bytes are built once, answers parsed minimally. */
  static final class SocketClient implements Client {
    final Options o;
    final URI uri;
    final byte[] request;
    Socket socket;
    InputStream in;
    OutputStream out;
    final byte[] skip = new byte[64 * 1024];

    SocketClient(Options o, byte[] body) {
      this.o = o;
      this.uri = URI.create(o.url);
      StringBuilder head = new StringBuilder();
      String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      head.append("POST ").append(path).append(" HTTP/1.1\r\n");
      head.append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
      head.append("Content-Type: ").append(o.contentType).append("\r\n");
      for (String h : o.headers) {
        head.append(h).append("\r\n");
      }
      head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
      byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
      request = new byte[h.length + body.length];
      System.arraycopy(h, 0, request, 0, h.length);
      System.arraycopy(body, 0, request, h.length, body.length);
    }

    @Override
    public void open() throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
      socket.setSoTimeout(60_000);
      in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      out = socket.getOutputStream();
    }

    @Override
    public Response send(boolean keepBody) throws IOException {
      out.write(request);
      out.flush();
      String status = readLine();
      if (!status.startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP answer: " + abbreviate(status));
      }
      int code = Integer.parseInt(status.substring(9, 12));
      long contentLength = -1;
      boolean chunked = false;
      boolean closeAfter = false;
      for (String line = readLine(); !line.isEmpty(); line = readLine()) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).trim();
        switch (name) {
          case "content-length" -> contentLength = Long.parseLong(value);
          case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
          case "connection" -> closeAfter = value.equalsIgnoreCase("close");
          default -> {}
        }
      }
      boolean keep = keepBody || code / 100 != 2;
      ByteArrayOutputStream kept = keep ? new ByteArrayOutputStream() : null;
      long length = 0;
      if (chunked) {
        while (true) {
          String sizeLine = readLine();
          int semi = sizeLine.indexOf(';');
          long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
          if (size == 0) {
            while (!readLine().isEmpty()) {}
            break;
          }
          read(size, kept);
          length += size;
          readLine();
        }
      } else if (contentLength >= 0) {
        read(contentLength, kept);
        length = contentLength;
      } else {
        throw new IOException("answer has neither Content-Length nor chunked encoding");
      }
      if (closeAfter) {
        close();
        open();
      }
      return new Response(code, length, kept == null ? null : kept.toByteArray());
    }

    private void read(long n, ByteArrayOutputStream kept) throws IOException {
      while (n > 0) {
        int r = in.read(skip, 0, (int) Math.min(skip.length, n));
        if (r < 0) {
          throw new IOException("connection closed mid-body");
        }
        if (kept != null) {
          kept.write(skip, 0, r);
        }
        n -= r;
      }
    }

    private String readLine() throws IOException {
      StringBuilder sb = new StringBuilder(64);
      while (true) {
        int c = in.read();
        if (c < 0) {
          throw new IOException("connection closed");
        }
        if (c == '\n') {
          int len = sb.length();
          if (len > 0 && sb.charAt(len - 1) == '\r') {
            sb.setLength(len - 1);
          }
          return sb.toString();
        }
        sb.append((char) c);
      }
    }

    @Override
    public void close() {
      try {
        if (socket != null) {
          socket.close();
        }
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /** java.net.http.HttpClient, HTTP/1.1, one client (and so one keep-alive connection) per worker. */
  static final class JdkClient implements Client {
    final HttpClient http;
    final HttpRequest request;

    JdkClient(Options o, byte[] body) {
      http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(o.url))
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", o.contentType)
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      for (String h : o.headers) {
        int colon = h.indexOf(':');
        b.header(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
      }
      request = b.build();
    }

    @Override
    public void open() {}

    @Override
    public Response send(boolean keepBody) throws IOException {
      try {
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new Response(r.statusCode(), r.body().length, r.body());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }

    @Override
    public void close() {
      http.close();
    }
  }

  /**
   * Log-linear histogram of nanosecond values: exact below 128, then 64 sub-buckets per power of
   * two (relative error ≤ 1/128 at the bucket midpoint), as HdrHistogram does with 2 digits.
   */
  static final class Histogram {
    static final int SIZE = 128 + 64 * 60;
    final long[] counts = new long[SIZE];
    long total;
    long max;
    double sum;

    void record(long v) {
      v = Math.max(0, v);
      counts[index(v)]++;
      total++;
      sum += v;
      max = Math.max(max, v);
    }

    static int index(long v) {
      if (v < 128) {
        return (int) v;
      }
      int b = 63 - Long.numberOfLeadingZeros(v) - 6;
      long sub = v >>> b;
      return 128 + (b - 1) * 64 + (int) (sub - 64);
    }

    static long valueAt(int idx) {
      if (idx < 128) {
        return idx;
      }
      int b = (idx - 128) / 64 + 1;
      long sub = (idx - 128) % 64 + 64;
      return (sub << b) + (1L << b) / 2;
    }

    void add(Histogram other) {
      for (int i = 0; i < SIZE; i++) {
        counts[i] += other.counts[i];
      }
      total += other.total;
      sum += other.sum;
      max = Math.max(max, other.max);
    }

    long percentile(double p) {
      if (total == 0) {
        return 0;
      }
      long rank = (long) Math.ceil(p / 100.0 * total);
      long seen = 0;
      for (int i = 0; i < SIZE; i++) {
        seen += counts[i];
        if (seen >= Math.max(1, rank)) {
          return Math.min(valueAt(i), max);
        }
      }
      return max;
    }
  }

  static final class Result {
    final Histogram histogram = new Histogram();
    long ok;
    long httpErrors;
    long ioErrors;
    long wrong;
    long checked;
    long responseBytes;
    long late;
    long elapsedNanos;
    long measuredNanos;

    void add(Worker w) {
      histogram.add(w.histogram);
      ok += w.ok;
      httpErrors += w.httpErrors;
      ioErrors += w.ioErrors;
      wrong += w.wrong;
      checked += w.checked;
      responseBytes += w.responseBytes;
      late += w.late;
    }

    String toJson(Options o, int requestBytes) {
      long errors = httpErrors + ioErrors + wrong;
      long count = ok + errors;
      double seconds = elapsedNanos / 1e9;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("mode", o.rate > 0 ? "open" : "closed");
      m.put("client", o.client);
      m.put("url", o.url);
      m.put("connections", o.connections);
      m.put("target_rate", o.rate);
      m.put("duration_s", round(seconds, 3));
      m.put("count", count);
      m.put("ok", ok);
      m.put("errors", errors);
      m.put("http_errors", httpErrors);
      m.put("io_errors", ioErrors);
      m.put("wrong", wrong);
      m.put("checked", checked);
      m.put("late_over_1ms", late);
      m.put("throughput", round(ok / seconds, 1));
      m.put("request_bytes", requestBytes);
      m.put("response_bytes_mean", count == 0 ? 0 : responseBytes / count);
      m.put("mean_us", round(histogram.total == 0 ? 0 : histogram.sum / histogram.total / 1e3, 1));
      m.put("p50_us", round(histogram.percentile(50) / 1e3, 1));
      m.put("p90_us", round(histogram.percentile(90) / 1e3, 1));
      m.put("p99_us", round(histogram.percentile(99) / 1e3, 1));
      m.put("p999_us", round(histogram.percentile(99.9) / 1e3, 1));
      m.put("max_us", round(histogram.max / 1e3, 1));
      StringBuilder sb = new StringBuilder("{");
      for (Map.Entry<String, Object> e : m.entrySet()) {
        if (sb.length() > 1) {
          sb.append(", ");
        }
        sb.append('"').append(e.getKey()).append("\": ");
        Object v = e.getValue();
        sb.append(v instanceof String s ? "\"" + s.replace("\"", "\\\"") + "\"" : v);
      }
      return sb.append('}').toString();
    }

    static double round(double v, int digits) {
      double f = Math.pow(10, digits);
      return Math.round(v * f) / f;
    }
  }

  static final class Options {
    String url;
    String body;
    String contentType = "application/json";
    List<String> headers = new ArrayList<>();
    int connections = 16;
    double durationSeconds = 10;
    double warmupSeconds = 3;
    double rate;
    String expect;
    int checkEvery = 100;
    String client = "socket";

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          usage(0);
        }
        if (i + 1 >= args.length) {
          System.err.println("loadgen: " + a + " needs a value");
          usage(2);
        }
        String v = args[++i];
        switch (a) {
          case "--url" -> o.url = v;
          case "--body" -> o.body = v;
          case "--content-type" -> o.contentType = v;
          case "--header" -> o.headers.add(v);
          case "--connections" -> o.connections = Integer.parseInt(v);
          case "--duration" -> o.durationSeconds = Double.parseDouble(v);
          case "--warmup" -> o.warmupSeconds = Double.parseDouble(v);
          case "--rate" -> o.rate = Double.parseDouble(v);
          case "--expect" -> o.expect = v;
          case "--check-every" -> o.checkEvery = Integer.parseInt(v);
          case "--client" -> o.client = v;
          default -> {
            System.err.println("loadgen: unknown option " + a);
            usage(2);
          }
        }
      }
      if (o.url == null || o.body == null) {
        usage(2);
      }
      if (!o.client.equals("socket") && !o.client.equals("jdk")) {
        System.err.println("loadgen: --client must be socket or jdk");
        usage(2);
      }
      if (!o.url.startsWith("http://")) {
        System.err.println("loadgen: only http:// URLs");
        usage(2);
      }
      return o;
    }

    static void usage(int code) {
      System.err.println(
          """
          usage: java LoadGen.java --url http://host:port/path --body FILE [options]
            --connections N      keep-alive connections (default 16)
            --duration S         measured seconds (default 10)
            --warmup S           unmeasured seconds first (default 3)
            --rate R             open loop at R requests/s (default: closed loop, max throughput)
            --expect REGEX       sampled answers must match (else counted as wrong = error)
            --check-every K      check one answer in K per connection (default 100)
            --header 'K: V'      extra request header (repeatable)
            --content-type T     default application/json
            --client socket|jdk  raw keep-alive sockets (default) or java.net.http.HttpClient""");
      System.exit(code);
    }
  }
}
