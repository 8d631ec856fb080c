package dev.skiff.runtime.fetch;

import dev.skiff.api.contract.RuntimeCommand;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Everything a fetch may be tuned with; {@link #defaults()} are the command line's defaults.
 *
 * @param expectedSha256 lower-case hex sha256 the downloaded bytes must have, or null
 * @param connectTimeout longest wait for a TCP (and TLS) connection
 * @param readTimeout longest wait for the response headers or for the next body bytes
 * @param attempts tries in all (1 = no retry) on transient failures
 * @param initialBackoff wait before the second try; doubled each try up to {@link #MAX_BACKOFF}
 * @param maxBytes largest object accepted
 * @param maxArchiveEntries most entries an archive may have
 * @param maxExtractedBytes most bytes an archive may unpack to
 * @param unpackArchives whether a .tar.gz, .tgz, .tar or .zip file is unpacked into the folder; off
 *     keeps it as it is (a Deeplearning4j ModelSerializer .zip is the model itself)
 * @param allowPrivateAddresses whether http(s) URIs may point at loopback or private addresses
 * @param pvcRoot where the operator mounts the claim named by {@code pvc://} URIs
 * @param s3Endpoint endpoint of an S3-compatible store, or null for AWS
 * @param s3PathStyle path-style bucket addressing; null = on exactly when an endpoint is set
 * @param s3Region signing region
 * @param progressInterval how often progress is logged at most
 */
public record FetchOptions(
    String expectedSha256,
    Duration connectTimeout,
    Duration readTimeout,
    int attempts,
    Duration initialBackoff,
    long maxBytes,
    int maxArchiveEntries,
    long maxExtractedBytes,
    boolean unpackArchives,
    boolean allowPrivateAddresses,
    Path pvcRoot,
    URI s3Endpoint,
    Boolean s3PathStyle,
    String s3Region,
    Duration progressInterval) {

  public static final long DEFAULT_MAX_BYTES = 4L << 30;
  public static final long DEFAULT_MAX_EXTRACTED_BYTES = 16L << 30;
  public static final int DEFAULT_MAX_ARCHIVE_ENTRIES = 10_000;
  public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  public FetchOptions {
    if (expectedSha256 != null) {
      if (!expectedSha256.matches("[0-9a-fA-F]{64}")) {
        throw new IllegalArgumentException(
            "sha256 must be 64 hex digits, not '" + expectedSha256 + "'");
      }
      expectedSha256 = expectedSha256.toLowerCase(Locale.ROOT);
    }
    if (attempts < 1 || maxBytes < 1 || maxArchiveEntries < 1 || maxExtractedBytes < 1) {
      throw new IllegalArgumentException("attempts and size caps must be > 0");
    }
    if (connectTimeout.isNegative()
        || connectTimeout.isZero()
        || readTimeout.isNegative()
        || readTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be > 0");
    }
  }

  /** The defaults of {@code skiff-runtime fetch}. */
  public static FetchOptions defaults() {
    return builder().build();
  }

  /** A builder that starts from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether S3 requests use path-style addressing ({@code endpoint/bucket/key}). */
  public boolean s3PathStyleEffective() {
    return s3PathStyle != null ? s3PathStyle : s3Endpoint != null;
  }

  /** Builds {@link FetchOptions}; every field starts at the command line's default. */
  public static final class Builder {
    private String expectedSha256;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(60);
    private int attempts = 5;
    private Duration initialBackoff = Duration.ofSeconds(1);
    private long maxBytes = DEFAULT_MAX_BYTES;
    private int maxArchiveEntries = DEFAULT_MAX_ARCHIVE_ENTRIES;
    private long maxExtractedBytes = DEFAULT_MAX_EXTRACTED_BYTES;
    private boolean unpackArchives = true;
    private boolean allowPrivateAddresses;
    private Path pvcRoot = Path.of(RuntimeCommand.DEFAULT_PVC_ROOT);
    private URI s3Endpoint;
    private Boolean s3PathStyle;
    private String s3Region = "us-east-1";
    private Duration progressInterval = Duration.ofSeconds(5);

    private Builder() {}

    public Builder expectedSha256(String value) {
      this.expectedSha256 = value;
      return this;
    }

    public Builder connectTimeout(Duration value) {
      this.connectTimeout = value;
      return this;
    }

    public Builder readTimeout(Duration value) {
      this.readTimeout = value;
      return this;
    }

    public Builder attempts(int value) {
      this.attempts = value;
      return this;
    }

    public Builder initialBackoff(Duration value) {
      this.initialBackoff = value;
      return this;
    }

    public Builder maxBytes(long value) {
      this.maxBytes = value;
      return this;
    }

    public Builder maxArchiveEntries(int value) {
      this.maxArchiveEntries = value;
      return this;
    }

    public Builder maxExtractedBytes(long value) {
      this.maxExtractedBytes = value;
      return this;
    }

    public Builder unpackArchives(boolean value) {
      this.unpackArchives = value;
      return this;
    }

    public Builder allowPrivateAddresses(boolean value) {
      this.allowPrivateAddresses = value;
      return this;
    }

    public Builder pvcRoot(Path value) {
      this.pvcRoot = value;
      return this;
    }

    public Builder s3Endpoint(URI value) {
      this.s3Endpoint = value;
      return this;
    }

    public Builder s3PathStyle(Boolean value) {
      this.s3PathStyle = value;
      return this;
    }

    public Builder s3Region(String value) {
      this.s3Region = value;
      return this;
    }

    public Builder progressInterval(Duration value) {
      this.progressInterval = value;
      return this;
    }

    public FetchOptions build() {
      return new FetchOptions(
          expectedSha256,
          connectTimeout,
          readTimeout,
          attempts,
          initialBackoff,
          maxBytes,
          maxArchiveEntries,
          maxExtractedBytes,
          unpackArchives,
          allowPrivateAddresses,
          pvcRoot,
          s3Endpoint,
          s3PathStyle,
          s3Region,
          progressInterval);
    }
  }
}
