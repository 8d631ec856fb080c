package dev.skiff.runtime.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;

/**
 * Reads http and https URIs. Redirects are followed here rather than by the client so that every
 * hop gets the same checks as the first URI: http or https only, no https-to-http downgrade, the
 * address policy, and at most {@link #MAX_REDIRECTS} hops.
 */
final class HttpSource implements ModelSource {
  static final int MAX_REDIRECTS = 5;

  private final HttpClient client;
  private final URI uri;
  private final Duration readTimeout;
  private final boolean allowPrivateAddresses;

  HttpSource(HttpClient client, URI uri, Duration readTimeout, boolean allowPrivateAddresses) {
    this.client = client;
    this.uri = uri;
    this.readTimeout = readTimeout;
    this.allowPrivateAddresses = allowPrivateAddresses;
  }

  /** A client that never follows redirects by itself. */
  static HttpClient client(Duration connectTimeout) {
    return HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  @Override
  public Body open() throws FetchException {
    URI current = uri;
    AddressPolicy.check(current.getHost(), allowPrivateAddresses);
    for (int redirects = 0; ; redirects++) {
      HttpResponse<InputStream> response = send(current);
      int status = response.statusCode();
      if (status == 200) {
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        return new Body(response.body(), length);
      }
      closeQuietly(response.body());
      String at = ModelUri.redact(current);
      if (isRedirect(status)) {
        String location = response.headers().firstValue("Location").orElse(null);
        if (location == null) {
          throw FetchException.of(
              FetchReason.FAILED, "HTTP " + status + " from " + at + " without a Location header");
        }
        if (redirects >= MAX_REDIRECTS) {
          throw FetchException.of(
              FetchReason.REFUSED_URI,
              "more than " + MAX_REDIRECTS + " redirects, the last from " + at);
        }
        URI next = redirectTarget(current, location);
        AddressPolicy.check(next.getHost(), allowPrivateAddresses);
        current = next;
        continue;
      }
      throw statusFailure(status, at);
    }
  }

  /** Resolves and checks a Location header against the URI that answered it. */
  static URI redirectTarget(URI from, String location) throws FetchException {
    URI next;
    try {
      next = from.resolve(location.strip());
    } catch (IllegalArgumentException e) {
      throw FetchException.of(
          FetchReason.REFUSED_URI, "redirect to an invalid URI from " + ModelUri.redact(from), e);
    }
    String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw FetchException.of(
          FetchReason.REFUSED_URI,
          "redirect from " + ModelUri.redact(from) + " to scheme '" + scheme + "' is refused");
    }
    if (from.getScheme().equalsIgnoreCase("https") && scheme.equals("http")) {
      throw FetchException.of(
          FetchReason.REFUSED_URI,
          "redirect from https to plain http ("
              + ModelUri.redact(next)
              + ") is refused: it would drop transport security");
    }
    if (next.getHost() == null) {
      throw FetchException.of(
          FetchReason.REFUSED_URI, "redirect to " + ModelUri.redact(next) + " has no host");
    }
    if (next.getRawUserInfo() != null) {
      throw FetchException.of(
          FetchReason.REFUSED_URI, "redirect to a URI with credentials is refused");
    }
    return next;
  }

  private HttpResponse<InputStream> send(URI target) throws FetchException {
    HttpRequest request =
        HttpRequest.newBuilder(target)
            .timeout(readTimeout)
            .header("User-Agent", "skiff-runtime-fetch")
            .GET()
            .build();
    String at = ModelUri.redact(target);
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      throw FetchException.transientNetwork(
          "no response from " + at + " within the timeout: " + BodyCopier.describe(e), e);
    } catch (ConnectException e) {
      throw FetchException.transientNetwork(
          "cannot connect to " + at + ": " + BodyCopier.describe(e), e);
    } catch (IOException e) {
      throw FetchException.transientNetwork(
          "request to " + at + " failed: " + BodyCopier.describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FetchException.of(FetchReason.FAILED, "interrupted", e);
    }
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  static FetchException statusFailure(int status, String at) {
    String detail = "HTTP " + status + " from " + at;
    if (status == 404 || status == 410) {
      return FetchException.of(FetchReason.NOT_FOUND, detail);
    }
    if (status == 429 || status >= 500) {
      return FetchException.transientNetwork(detail, null);
    }
    if (status == 401 || status == 403) {
      return FetchException.of(FetchReason.FAILED, detail + " (access denied)");
    }
    return FetchException.of(FetchReason.FAILED, detail + " (expected 200)");
  }

  private static void closeQuietly(InputStream body) {
    try {
      body.close();
    } catch (IOException e) {
      // the connection is discarded either way
    }
  }
}
