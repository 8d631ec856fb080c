package dev.skiff.api.contract;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one line a runtime container leaves in its termination message file ({@code
 * terminationMessagePath}, Kubernetes' default {@value #KUBERNETES_DEFAULT_PATH}), which the
 * operator reads from the pod's container statuses: {@code <Reason>: <detail>}. The fetcher writes
 * {@code Fetched: ...} with the download's sha256 on success and its failure reason otherwise;
 * {@code serve} writes {@value #MODEL_LOAD_FAILED} when a model does not load. Written and read
 * here so both sides spell it once.
 */
public final class TerminationMessage {

  /** Where Kubernetes reads the message unless the container says otherwise. */
  public static final String KUBERNETES_DEFAULT_PATH = "/dev/termination-log";

  /** Kubernetes keeps at most 4096 bytes of a message; the line is cut well below that. */
  public static final int MAX_CHARS = 1024;

  /** The reason word of a fetch that succeeded. */
  public static final String FETCHED = "Fetched";

  /** The reason word of a serve that stopped because a model did not load. */
  public static final String MODEL_LOAD_FAILED = "ModelLoadFailed";

  private static final Pattern REASON = Pattern.compile("^([A-Z][A-Za-z0-9]*): (.*)$");
  private static final Pattern FETCHED_SHA256 =
      Pattern.compile("^" + FETCHED + ": .* \\(\\d+ bytes, sha256 ([0-9a-f]{64})\\)");

  private TerminationMessage() {}

  /** {@code text} on one line, cut to {@link #MAX_CHARS}. */
  public static String oneLine(String text) {
    String line = text.replaceAll("[\\r\\n\\t]+", " ").strip();
    return line.length() > MAX_CHARS ? line.substring(0, MAX_CHARS - 1) + "…" : line;
  }

  /** {@code <reason>: <detail>} on one line. */
  public static String of(String reason, String detail) {
    return oneLine(reason + ": " + detail);
  }

  /**
   * The fetcher's line on success, e.g. {@code Fetched: model.onnx (1234 bytes, sha256 <hex>) into
   * /models/iris/v1}; {@code sha256} is of the downloaded bytes (of the archive for archives).
   */
  public static String fetched(
      String fileName, long bytes, String sha256, boolean extracted, String destination) {
    return of(
        FETCHED,
        fileName
            + " ("
            + bytes
            + " bytes, sha256 "
            + sha256
            + ")"
            + (extracted ? " unpacked" : "")
            + " into "
            + destination);
  }

  /** The reason word of a message in this form, e.g. {@code ModelLoadFailed}. */
  public static Optional<String> reason(String message) {
    return match(message).map(m -> m.group(1));
  }

  /** What follows the reason word, or the whole (stripped) message when it has none. */
  public static String detail(String message) {
    return match(message).map(m -> m.group(2).strip()).orElse(message.strip());
  }

  /** {@code sha256:<hex>} of the download a {@link #fetched} line reports. */
  public static Optional<String> fetchedDigest(String message) {
    if (message == null) {
      return Optional.empty();
    }
    Matcher m = FETCHED_SHA256.matcher(message.strip());
    return m.find() ? Optional.of("sha256:" + m.group(1)) : Optional.empty();
  }

  private static Optional<Matcher> match(String message) {
    if (message == null) {
      return Optional.empty();
    }
    Matcher m = REASON.matcher(message.strip());
    return m.matches() ? Optional.of(m) : Optional.empty();
  }
}
