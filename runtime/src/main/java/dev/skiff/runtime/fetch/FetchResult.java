package dev.skiff.runtime.fetch;

import dev.skiff.api.contract.TerminationMessage;
import java.nio.file.Path;

/**
 * A completed fetch.
 *
 * @param destination the version folder, now complete
 * @param fileName the downloaded file's name
 * @param bytes bytes downloaded
 * @param sha256 sha256 of the downloaded bytes (the archive itself for archives)
 * @param extracted whether the file was an archive that was unpacked
 */
public record FetchResult(
    Path destination, String fileName, long bytes, String sha256, boolean extracted) {

  /** The one-line summary written to the termination log on success. */
  public String summary() {
    return TerminationMessage.fetched(fileName, bytes, sha256, extracted, destination.toString());
  }
}
