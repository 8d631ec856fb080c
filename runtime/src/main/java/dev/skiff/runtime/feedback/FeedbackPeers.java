package dev.skiff.runtime.feedback;

import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The other servers of the same model, asked for a prediction this one does not remember. Each pod
 * remembers only the predictions it made, and neither the router (by weight) nor a Service (any
 * pod) sends feedback to the pod that predicted; so a pod that does not know a request id forwards
 * the feedback to every peer at once, and the one that remembers it records it (counting it under
 * its own version) and answers. A forwarded request carries {@link #FORWARDED_HEADER} and is only
 * looked up locally, so feedback never travels more than one hop.
 *
 * <p>Peers are {@code host:port} entries; a host may resolve to several addresses (on Kubernetes a
 * headless Service that lists every pod of the model, ready or not, so a draining pod still answers
 * for its predictions). Names are resolved on every call, with the JVM's DNS cache
 * (runtime/jvm.options keeps it short), so pods that come and go are found. This server itself (a
 * local address with the port the feedback arrived on) is left out.
 *
 * <p>Why ask everyone rather than encode the pod in the request id: ids are often the client's own
 * {@code X-Request-Id}, which names no pod; feedback is rare next to predictions, and a model has a
 * handful of pods, so a fan-out of a few small requests is cheap.
 */
public final class FeedbackPeers implements AutoCloseable {
  /** Marks a feedback request one server forwarded to another. */
  public static final String FORWARDED_HEADER = "X-Skiff-Feedback-Forwarded";

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

  private final List<String> peers;
  private final Duration timeout;
  private final HttpClient client;
  private final Set<InetAddress> localAddresses;

  /** What the peers said. */
  public sealed interface Outcome {
    /** The {@code outcome} label of {@code skiff_feedback_forwarded_total}. */
    String label();
  }

  /** A peer remembered the prediction and recorded the feedback: its answer, passed on as is. */
  public record Recorded(String peer, int status, String body) implements Outcome {
    @Override
    public String label() {
      return "recorded";
    }
  }

  /** Every peer answered that it does not know the id. */
  public record Unknown(int asked) implements Outcome {
    @Override
    public String label() {
      return "unknown";
    }
  }

  /** No peer knew the id, and these could not be asked (down, slow, or failing). */
  public record Unreachable(int asked, List<String> failed) implements Outcome {
    @Override
    public String label() {
      return "unreachable";
    }
  }

  /**
   * @param peers {@code host:port} entries; an empty list asks no one
   */
  public FeedbackPeers(List<String> peers, Duration timeout) {
    peers.forEach(FeedbackPeers::checkEntry);
    this.peers = List.copyOf(peers);
    this.timeout = timeout;
    this.client =
        peers.isEmpty()
            ? null
            : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    this.localAddresses = peers.isEmpty() ? Set.of() : localAddresses();
  }

  /** No peers: feedback is matched on this server only. */
  public static FeedbackPeers none() {
    return new FeedbackPeers(List.of(), DEFAULT_TIMEOUT);
  }

  public boolean isEmpty() {
    return peers.isEmpty();
  }

  /** Refuses an entry that is not {@code host:port}; called for the command line too. */
  public static void checkEntry(String entry) {
    int colon = entry.lastIndexOf(':');
    boolean valid = colon > 0 && colon < entry.length() - 1;
    if (valid) {
      try {
        int port = Integer.parseInt(entry.substring(colon + 1));
        valid = port > 0 && port < 65_536;
      } catch (NumberFormatException e) {
        valid = false;
      }
    }
    if (!valid) {
      throw new IllegalArgumentException(
          "feedback peer '" + entry + "' is not host:port (e.g. iris-peers.default.svc:8080)");
    }
  }

  /**
   * Sends the feedback to every peer at once and returns as soon as one has recorded it, or when
   * all have answered (at most the timeout).
   *
   * @param path the request's path, e.g. {@code /v1/models/iris/feedback}
   * @param body the feedback as JSON
   * @param authorization the client's {@code Authorization} header, passed on to peers that check
   *     the same tokens
   * @param ownPort the port this server answered on, so it does not ask itself
   */
  public Outcome ask(String path, String body, Optional<String> authorization, int ownPort) {
    List<String> unresolved = new ArrayList<>();
    List<InetSocketAddress> targets = resolve(ownPort, unresolved);
    if (targets.isEmpty()) {
      return unresolved.isEmpty()
          ? new Unknown(0)
          : new Unreachable(unresolved.size(), List.copyOf(unresolved));
    }
    CompletableFuture<Recorded> recorded = new CompletableFuture<>();
    List<String> failed = Collections.synchronizedList(new ArrayList<>(unresolved));
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (InetSocketAddress target : targets) {
      String peer = hostPort(target);
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create("http://" + peer + path))
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .header(FORWARDED_HEADER, "true")
              .POST(HttpRequest.BodyPublishers.ofString(body));
      authorization.ifPresent(value -> request.header("Authorization", value));
      calls.add(
          client
              .sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
              .whenComplete(
                  (response, error) -> {
                    if (error == null && response.statusCode() < 300) {
                      recorded.complete(new Recorded(peer, response.statusCode(), response.body()));
                    } else if (error != null || response.statusCode() != 404) {
                      failed.add(peer);
                    }
                  }));
    }
    CompletableFuture<Void> all = CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
    try {
      CompletableFuture.anyOf(recorded, all)
          .get(timeout.toMillis() + timeout.toMillis() / 2, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      // a failed call completes `all` exceptionally; the failure is already in `failed`
    } catch (TimeoutException e) {
      // counted below: the peers that have not answered
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (recorded.isDone()) {
      return recorded.join();
    }
    for (int i = 0; i < calls.size(); i++) {
      if (!calls.get(i).isDone()) {
        failed.add(hostPort(targets.get(i)));
      }
    }
    int asked = targets.size() + unresolved.size();
    synchronized (failed) {
      return failed.isEmpty()
          ? new Unknown(asked)
          : new Unreachable(asked, failed.stream().distinct().toList());
    }
  }

  /**
   * Every address of every peer entry, without this server's own; entries whose name does not
   * resolve are added to {@code unresolved} (on Kubernetes the peers' name always lists this pod at
   * least, so a failed lookup is a DNS problem, not an empty set of peers).
   */
  private List<InetSocketAddress> resolve(int ownPort, List<String> unresolved) {
    Set<InetSocketAddress> targets = new LinkedHashSet<>();
    for (String entry : peers) {
      int colon = entry.lastIndexOf(':');
      String host = entry.substring(0, colon);
      int port = Integer.parseInt(entry.substring(colon + 1));
      InetAddress[] addresses;
      try {
        addresses = InetAddress.getAllByName(host);
      } catch (UnknownHostException e) {
        unresolved.add(entry + " (name not resolved)");
        continue;
      }
      for (InetAddress address : addresses) {
        if (port != ownPort || !localAddresses.contains(address)) {
          targets.add(new InetSocketAddress(address, port));
        }
      }
    }
    return List.copyOf(targets);
  }

  private static String hostPort(InetSocketAddress target) {
    InetAddress address = target.getAddress();
    String host =
        address instanceof Inet6Address
            ? "[" + address.getHostAddress() + "]"
            : address.getHostAddress();
    return host + ":" + target.getPort();
  }

  private static Set<InetAddress> localAddresses() {
    try {
      return NetworkInterface.networkInterfaces()
          .flatMap(NetworkInterface::inetAddresses)
          .collect(Collectors.toUnmodifiableSet());
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
