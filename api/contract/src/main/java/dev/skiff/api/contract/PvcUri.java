package dev.skiff.api.contract;

import java.util.Optional;

/**
 * {@code pvc://<claim>/<path>}: a model file on a PersistentVolumeClaim. The operator mounts the
 * claim (read-only) at {@link RuntimeCommand#DEFAULT_PVC_ROOT} in the fetch container and passes
 * the URI unchanged; fetch mode reads {@code <path>} below that mount, symbolic links resolved, and
 * refuses anything that resolves outside it.
 *
 * @param claim the PersistentVolumeClaim's name
 * @param path the file's path inside the claim, without a leading slash
 */
public record PvcUri(String claim, String path) {

  public static final String SCHEME = "pvc";

  private static final String PREFIX = SCHEME + "://";

  /** The claim and path of a {@code pvc://} URI; empty for any other URI. */
  public static Optional<PvcUri> parse(String uri) {
    if (uri == null || !uri.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String rest = uri.substring(PREFIX.length());
    int slash = rest.indexOf('/');
    return Optional.of(
        slash < 0
            ? new PvcUri(rest, "")
            : new PvcUri(rest.substring(0, slash), rest.substring(slash + 1)));
  }
}
