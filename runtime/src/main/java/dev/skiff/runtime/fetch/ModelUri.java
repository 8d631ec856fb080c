package dev.skiff.runtime.fetch;

import dev.skiff.api.contract.PvcUri;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A model URI that passed the static checks: a supported scheme, the parts that scheme needs, and a
 * file name that is safe to create. Address checks happen when connecting ({@link AddressPolicy}),
 * because they need DNS.
 *
 * @param uri the URI as given
 * @param scheme which source reads it
 * @param fileName the last path segment: the model file's name in the version folder
 */
public record ModelUri(URI uri, Scheme scheme, String fileName) {

  /** The schemes a model may come from. */
  public enum Scheme {
    HTTPS,
    HTTP,
    S3,
    FILE,
    PVC
  }

  private static final Pattern SAFE_FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._+-]*");

  /**
   * Parses and checks {@code text}; a URI that is not allowed is a {@link FetchReason#REFUSED_URI}.
   */
  public static ModelUri parse(String text) throws FetchException {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw refused("'" + text + "' is not a valid URI: " + e.getReason());
    }
    String schemeText = uri.getScheme();
    if (schemeText == null) {
      throw refused("'" + text + "' has no scheme; use https, http, s3, file or pvc");
    }
    Scheme scheme =
        switch (schemeText.toLowerCase(Locale.ROOT)) {
          case "https" -> Scheme.HTTPS;
          case "http" -> Scheme.HTTP;
          case "s3" -> Scheme.S3;
          case "file" -> Scheme.FILE;
          case PvcUri.SCHEME -> Scheme.PVC;
          default ->
              throw refused(
                  "scheme '" + schemeText + "' is not supported; use https, http, s3, file or pvc");
        };
    if (uri.isOpaque()) {
      throw refused("'" + redact(uri) + "' must have the form " + form(scheme));
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    switch (scheme) {
      case HTTPS, HTTP -> {
        if (uri.getHost() == null) {
          throw refused("'" + redact(uri) + "' has no host");
        }
        if (uri.getRawUserInfo() != null) {
          throw refused(
              "credentials in the URI are refused (they would end up in logs and in the status)");
        }
      }
      case S3 -> {
        if (uri.getAuthority() == null || path.length() < 2) {
          throw refused("'" + redact(uri) + "' must have the form " + form(scheme));
        }
      }
      case FILE -> {
        String authority = uri.getAuthority();
        if ((authority != null && !authority.equals("localhost")) || !path.startsWith("/")) {
          throw refused("'" + redact(uri) + "' must have the form " + form(scheme));
        }
      }
      case PVC -> {
        if (uri.getAuthority() == null || path.length() < 2) {
          throw refused("'" + redact(uri) + "' must have the form " + form(scheme));
        }
      }
      default -> throw new IllegalStateException(scheme.toString());
    }
    if (scheme == Scheme.FILE || scheme == Scheme.PVC) {
      for (String segment : path.split("/", -1)) {
        if (segment.equals("..")) {
          throw refused("'" + redact(uri) + "' must not contain '..'");
        }
      }
    }
    String fileName = path.substring(path.lastIndexOf('/') + 1);
    if (fileName.length() > 255 || !SAFE_FILE_NAME.matcher(fileName).matches()) {
      throw refused(
          "cannot take a model file name from the path of '"
              + redact(uri)
              + "': the last segment must be a file name such as model.onnx or model.tar.gz");
    }
    return new ModelUri(uri, scheme, fileName);
  }

  /** How the file is laid into the version folder. */
  ArchiveKind archiveKind() {
    return ArchiveKind.of(fileName);
  }

  /** The URI without its query and fragment (pre-signed URLs carry signatures there), for logs. */
  public String redacted() {
    return redact(uri);
  }

  static String redact(URI uri) {
    String text = uri.toString();
    int cut = text.length();
    int query = text.indexOf('?');
    int fragment = text.indexOf('#');
    if (query >= 0) {
      cut = query;
    }
    if (fragment >= 0 && fragment < cut) {
      cut = fragment;
    }
    return cut < text.length() ? text.substring(0, cut) + "?…" : text;
  }

  private static String form(Scheme scheme) {
    return switch (scheme) {
      case HTTPS -> "https://<host>/<path>/<file>";
      case HTTP -> "http://<host>/<path>/<file>";
      case S3 -> "s3://<bucket>/<key>";
      case FILE -> "file:///<absolute path>";
      case PVC -> "pvc://<claim>/<path in the claim>";
    };
  }

  private static FetchException refused(String message) {
    return FetchException.of(FetchReason.REFUSED_URI, message);
  }
}
