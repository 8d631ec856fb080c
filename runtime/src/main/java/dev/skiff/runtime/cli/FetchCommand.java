package dev.skiff.runtime.cli;

import dev.skiff.api.contract.RuntimeCommand;
import dev.skiff.api.contract.RuntimeEnvironment;
import dev.skiff.api.contract.TerminationMessage;
import dev.skiff.runtime.fetch.FetchException;
import dev.skiff.runtime.fetch.FetchOptions;
import dev.skiff.runtime.fetch.FetchResult;
import dev.skiff.runtime.fetch.Fetcher;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code fetch <uri> <dest>}: the init container of every model pod. Downloads and verifies the
 * model into its version folder, and on failure exits with a code and a termination message that
 * name the reason (docs/fetch.md has the table).
 */
final class FetchCommand implements Mode {
  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  private static final ModeOptions OPTIONS =
      new ModeOptions(
              RuntimeCommand.FETCH,
              "Download a model into a version folder: https, http, s3, file or pvc URIs; sha256"
                  + " verified; .tar.gz, .tgz, .tar and .zip unpacked; the folder appears complete"
                  + " or not at all.",
              "Exit codes: 0 fetched, 10 NotFound, 11 ChecksumMismatch, 12 TooLarge, 13 Network,"
                  + " 14 RefusedUri, 15 BadArchive, 1 other failures, 2 bad command line.")
          .parameter(
              "<uri>",
              "https://…, http://…, s3://<bucket>/<key>, file:///<path> or pvc://<claim>/<path>.")
          .parameter(
              "<dest>",
              "Version folder to fill, e.g. /models/iris/v1 (replaced as a whole). A model file"
                  + " keeps its name from the URI; archives are unpacked into it.")
          .option(
              RuntimeCommand.SHA256,
              "hex",
              null,
              "Expected sha256 (64 hex digits) of the downloaded file.")
          .option(
              "--connect-timeout",
              "duration",
              "10s",
              "Longest wait for a connection (e.g. 500ms, 10s, 2m). Default: {default}.")
          .option(
              "--read-timeout",
              "duration",
              "60s",
              "Longest wait for the response or for the next bytes of the body. Default:"
                  + " {default}.")
          .option(
              "--retries",
              "n",
              "4",
              "Retries after a transient failure (connection error, timeout, 5xx, 429). Default:"
                  + " {default}.")
          .option(
              "--retry-backoff",
              "duration",
              "1s",
              "Wait before the first retry; doubles each time, at most 30s. Default: {default}.")
          .option(
              "--max-bytes",
              "bytes",
              "" + FetchOptions.DEFAULT_MAX_BYTES,
              "Largest download accepted. Default: {default} (4 GiB).")
          .option(
              "--max-archive-entries",
              "n",
              "" + FetchOptions.DEFAULT_MAX_ARCHIVE_ENTRIES,
              "Most entries an archive may have. Default: {default}.")
          .option(
              "--max-extracted-bytes",
              "bytes",
              "" + FetchOptions.DEFAULT_MAX_EXTRACTED_BYTES,
              "Most bytes an archive may unpack to. Default: {default} (16 GiB).")
          .optionalBoolean(
              RuntimeCommand.UNPACK,
              "true",
              "Unpack a .tar.gz, .tgz, .tar or .zip download into the folder; false keeps the file"
                  + " as it is (a Deeplearning4j ModelSerializer .zip is the model). Default:"
                  + " {default}.")
          .optionalBoolean(
              "--allow-private-addresses",
              ModeOptions.environmentOr(RuntimeEnvironment.FETCH_ALLOW_PRIVATE_ADDRESSES, "false"),
              "Let http(s) URIs point at loopback and private addresses (in-cluster servers)."
                  + " Metadata and link-local addresses are refused always. Default:"
                  + " $SKIFF_FETCH_ALLOW_PRIVATE_ADDRESSES or false.")
          .option(
              RuntimeCommand.PVC_ROOT,
              "dir",
              RuntimeCommand.DEFAULT_PVC_ROOT,
              "Where the claim of pvc:// URIs is mounted. Default: {default}.")
          .option(
              "--s3-endpoint",
              "uri",
              null,
              "Endpoint of an S3-compatible store (MinIO, Ceph…). Default: $SKIFF_S3_ENDPOINT,"
                  + " $AWS_ENDPOINT_URL_S3 or $AWS_ENDPOINT_URL; none means AWS.")
          .optionalBoolean(
              "--s3-path-style",
              null,
              "Path-style bucket addressing. Default: on when an endpoint is set.")
          .option(
              "--s3-region",
              "region",
              null,
              "Signing region. Default: $AWS_REGION, $AWS_DEFAULT_REGION or us-east-1.")
          .option(
              RuntimeCommand.TERMINATION_LOG,
              "file",
              TerminationMessage.KUBERNETES_DEFAULT_PATH,
              "File for the one-line result the operator reads (skipped when not writable)."
                  + " Default: {default}.");

  @Override
  public ModeOptions options() {
    return OPTIONS;
  }

  @Override
  public int run(ModeArguments arguments, PrintStream out, PrintStream err) throws UsageException {
    String uri = arguments.parameter(0);
    Path destination = arguments.pathParameter(1);
    Path terminationLog = arguments.path(RuntimeCommand.TERMINATION_LOG);
    int retries = arguments.integer("--retries");
    URI s3Endpoint = arguments.uri("--s3-endpoint");
    String s3Region = arguments.string("--s3-region");
    FetchOptions.Builder builder =
        FetchOptions.builder()
            .expectedSha256(arguments.string(RuntimeCommand.SHA256))
            .connectTimeout(arguments.value("--connect-timeout", FetchCommand::toDuration))
            .readTimeout(arguments.value("--read-timeout", FetchCommand::toDuration))
            .attempts(retries + 1)
            .initialBackoff(arguments.value("--retry-backoff", FetchCommand::toDuration))
            .maxBytes(arguments.longInteger("--max-bytes"))
            .maxArchiveEntries(arguments.integer("--max-archive-entries"))
            .maxExtractedBytes(arguments.longInteger("--max-extracted-bytes"))
            .unpackArchives(arguments.bool(RuntimeCommand.UNPACK))
            .allowPrivateAddresses(arguments.bool("--allow-private-addresses"))
            .pvcRoot(arguments.path(RuntimeCommand.PVC_ROOT))
            .s3PathStyle(arguments.bool("--s3-path-style"));

    FetchOptions options;
    try {
      options =
          builder
              .s3Endpoint(s3Endpoint != null ? s3Endpoint : envEndpoint())
              .s3Region(s3Region != null ? s3Region : envRegion())
              .build();
    } catch (IllegalArgumentException e) {
      throw new UsageException(retries < 0 ? "--retries must be >= 0" : e.getMessage());
    }
    try (Fetcher fetcher = new Fetcher(options)) {
      FetchResult result = fetcher.fetch(uri, destination);
      TerminationLog.write(terminationLog, result.summary());
      out.println(result.summary());
      out.flush();
      return 0;
    } catch (FetchException e) {
      return fail(e.terminationMessage(), e.reason().exitCode(), terminationLog, err);
    } catch (RuntimeException e) {
      return fail("FetchFailed: " + e, 1, terminationLog, err);
    }
  }

  private static int fail(String message, int exitCode, Path terminationLog, PrintStream err) {
    String line = TerminationMessage.oneLine(message);
    TerminationLog.write(terminationLog, line);
    err.println(line);
    err.flush();
    return exitCode;
  }

  private static URI envEndpoint() {
    for (String name :
        new String[] {RuntimeEnvironment.S3_ENDPOINT, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
      String value = System.getenv(name);
      if (value != null && !value.isBlank()) {
        return URI.create(value.strip());
      }
    }
    return null;
  }

  private static String envRegion() {
    for (String name : new String[] {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
      String value = System.getenv(name);
      if (value != null && !value.isBlank()) {
        return value.strip();
      }
    }
    return "us-east-1";
  }

  /**
   * Reads {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h} or an ISO-8601 duration; more than
   * zero.
   */
  static Duration toDuration(String value) {
    Matcher m = SIMPLE_DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
    Duration duration;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      duration =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
          };
    } else {
      try {
        duration = Duration.parse(value.strip());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "'" + value + "' is not a duration (use e.g. 500ms, 10s, 2m)");
      }
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("'" + value + "' must be more than zero");
    }
    return duration;
  }
}
