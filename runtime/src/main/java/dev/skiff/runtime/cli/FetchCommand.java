package dev.skiff.runtime.cli;

import dev.skiff.runtime.fetch.FetchException;
import dev.skiff.runtime.fetch.FetchOptions;
import dev.skiff.runtime.fetch.FetchResult;
import dev.skiff.runtime.fetch.Fetcher;
import dev.skiff.runtime.fetch.TerminationMessage;
import io.helidon.logging.common.LogConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fetch <uri> <dest>}: the init container of every model pod. Downloads and verifies the
 * model into its version folder, and on failure exits with a code and a termination message that
 * name the reason (docs/fetch.md has the table).
 */
@Command(
    name = "fetch",
    mixinStandardHelpOptions = true,
    description = {
      "Download a model into a version folder: https, http, s3, file or pvc URIs; sha256"
          + " verified; .tar.gz, .tgz, .tar and .zip unpacked; the folder appears complete or not"
          + " at all.",
      "Exit codes: 0 fetched, 10 NotFound, 11 ChecksumMismatch, 12 TooLarge, 13 Network,"
          + " 14 RefusedUri, 15 BadArchive, 1 other failures, 2 bad command line."
    })
public final class FetchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "<uri>",
      description =
          "https://…, http://…, s3://<bucket>/<key>, file:///<path> or pvc://<claim>/<path>.")
  String uri;

  @Parameters(
      index = "1",
      paramLabel = "<dest>",
      description =
          "Version folder to fill, e.g. /models/iris/v1 (replaced as a whole). A model file keeps"
              + " its name from the URI; archives are unpacked into it.")
  Path destination;

  @Option(
      names = "--sha256",
      description = "Expected sha256 (64 hex digits) of the downloaded file.")
  String sha256;

  @Option(
      names = "--connect-timeout",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "Longest wait for a connection (e.g. 500ms, 10s, 2m). Default: ${DEFAULT-VALUE}.")
  Duration connectTimeout;

  @Option(
      names = "--read-timeout",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "Longest wait for the response or for the next bytes of the body. Default:"
              + " ${DEFAULT-VALUE}.")
  Duration readTimeout;

  @Option(
      names = "--retries",
      defaultValue = "4",
      description =
          "Retries after a transient failure (connection error, timeout, 5xx, 429). Default:"
              + " ${DEFAULT-VALUE}.")
  int retries;

  @Option(
      names = "--retry-backoff",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description =
          "Wait before the first retry; doubles each time, at most 30s. Default: ${DEFAULT-VALUE}.")
  Duration retryBackoff;

  @Option(
      names = "--max-bytes",
      defaultValue = "" + FetchOptions.DEFAULT_MAX_BYTES,
      description = "Largest download accepted. Default: ${DEFAULT-VALUE} (4 GiB).")
  long maxBytes;

  @Option(
      names = "--max-archive-entries",
      defaultValue = "" + FetchOptions.DEFAULT_MAX_ARCHIVE_ENTRIES,
      description = "Most entries an archive may have. Default: ${DEFAULT-VALUE}.")
  int maxArchiveEntries;

  @Option(
      names = "--max-extracted-bytes",
      defaultValue = "" + FetchOptions.DEFAULT_MAX_EXTRACTED_BYTES,
      description = "Most bytes an archive may unpack to. Default: ${DEFAULT-VALUE} (16 GiB).")
  long maxExtractedBytes;

  @Option(
      names = "--allow-private-addresses",
      defaultValue = "${env:SKIFF_FETCH_ALLOW_PRIVATE_ADDRESSES:-false}",
      fallbackValue = "true",
      arity = "0..1",
      description =
          "Let http(s) URIs point at loopback and private addresses (in-cluster servers)."
              + " Metadata and link-local addresses are refused always. Default:"
              + " $SKIFF_FETCH_ALLOW_PRIVATE_ADDRESSES or false.")
  boolean allowPrivateAddresses;

  @Option(
      names = "--pvc-root",
      defaultValue = "/mnt/pvc",
      description = "Where the claim of pvc:// URIs is mounted. Default: ${DEFAULT-VALUE}.")
  Path pvcRoot;

  @Option(
      names = "--s3-endpoint",
      description =
          "Endpoint of an S3-compatible store (MinIO, Ceph…). Default: $SKIFF_S3_ENDPOINT,"
              + " $AWS_ENDPOINT_URL_S3 or $AWS_ENDPOINT_URL; none means AWS.")
  URI s3Endpoint;

  @Option(
      names = "--s3-path-style",
      arity = "0..1",
      fallbackValue = "true",
      description = "Path-style bucket addressing. Default: on when an endpoint is set.")
  Boolean s3PathStyle;

  @Option(
      names = "--s3-region",
      description = "Signing region. Default: $AWS_REGION, $AWS_DEFAULT_REGION or us-east-1.")
  String s3Region;

  @Option(
      names = "--termination-log",
      defaultValue = "/dev/termination-log",
      description =
          "File for the one-line result the operator reads (skipped when not writable). Default:"
              + " ${DEFAULT-VALUE}.")
  Path terminationLog;

  @Override
  public Integer call() {
    LogConfig.configureRuntime(); // one-line log records (logging.properties), as in serve mode
    FetchOptions options;
    try {
      options =
          FetchOptions.builder()
              .expectedSha256(sha256)
              .connectTimeout(connectTimeout)
              .readTimeout(readTimeout)
              .attempts(retries + 1)
              .initialBackoff(retryBackoff)
              .maxBytes(maxBytes)
              .maxArchiveEntries(maxArchiveEntries)
              .maxExtractedBytes(maxExtractedBytes)
              .allowPrivateAddresses(allowPrivateAddresses)
              .pvcRoot(pvcRoot)
              .s3Endpoint(s3Endpoint != null ? s3Endpoint : envEndpoint())
              .s3PathStyle(s3PathStyle)
              .s3Region(s3Region != null ? s3Region : envRegion())
              .build();
    } catch (IllegalArgumentException e) {
      if (retries < 0) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--retries must be >= 0");
      }
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    try (Fetcher fetcher = new Fetcher(options)) {
      FetchResult result = fetcher.fetch(uri, destination);
      TerminationMessage.write(terminationLog, result.summary());
      spec.commandLine().getOut().println(result.summary());
      spec.commandLine().getOut().flush();
      return 0;
    } catch (FetchException e) {
      return fail(e.terminationMessage(), e.reason().exitCode());
    } catch (RuntimeException e) {
      return fail("FetchFailed: " + e, 1);
    }
  }

  private int fail(String message, int exitCode) {
    String line = TerminationMessage.oneLine(message);
    TerminationMessage.write(terminationLog, line);
    spec.commandLine().getErr().println(line);
    spec.commandLine().getErr().flush();
    return exitCode;
  }

  private static URI envEndpoint() {
    for (String name :
        new String[] {"SKIFF_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
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

  /** Reads {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h} or an ISO-8601 duration. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
      Matcher m = SIMPLE.matcher(value.strip().toLowerCase(Locale.ROOT));
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
          throw new CommandLine.TypeConversionException(
              "'" + value + "' is not a duration (use e.g. 500ms, 10s, 2m)");
        }
      }
      if (duration.isNegative() || duration.isZero()) {
        throw new CommandLine.TypeConversionException("'" + value + "' must be more than zero");
      }
      return duration;
    }
  }
}
