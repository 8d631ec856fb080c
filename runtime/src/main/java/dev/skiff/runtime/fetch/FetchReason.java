package dev.skiff.runtime.fetch;

/**
 * Why a fetch failed: the word the operator copies into the version's status reason and the process
 * exit code it reads from the init container. The table is documented in docs/fetch.md; changing a
 * code or a word is an API change for the operator.
 */
public enum FetchReason {
  /** The source answered that the object does not exist (HTTP 404/410, S3 NoSuchKey, no file). */
  NOT_FOUND("NotFound", 10),
  /** The downloaded bytes do not have the expected sha256. */
  CHECKSUM_MISMATCH("ChecksumMismatch", 11),
  /** The object, or an archive's content, is over the configured size or entry cap. */
  TOO_LARGE("TooLarge", 12),
  /** Connection errors, timeouts, truncated bodies, 5xx and 429 that outlived the retries. */
  NETWORK("Network", 13),
  /** The URI is not allowed: scheme, address, redirect target or file name. */
  REFUSED_URI("RefusedUri", 14),
  /** An archive that is corrupt or has entries that would land outside the destination. */
  BAD_ARCHIVE("BadArchive", 15),
  /** Anything else (access denied, disk full, an unexpected status). */
  FAILED("FetchFailed", 1);

  private final String word;
  private final int exitCode;

  FetchReason(String word, int exitCode) {
    this.word = word;
    this.exitCode = exitCode;
  }

  /** The CamelCase word written before the colon in the termination message. */
  public String word() {
    return word;
  }

  /** The process exit code. */
  public int exitCode() {
    return exitCode;
  }
}
