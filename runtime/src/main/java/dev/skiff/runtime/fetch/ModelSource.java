package dev.skiff.runtime.fetch;

/** Where a model's bytes come from: one implementation per URI scheme. */
interface ModelSource {

  /**
   * Opens the object for one attempt. Failures carry their reason; transient ones (connection
   * errors, 5xx, 429) are marked retryable and the caller tries again.
   */
  Body open() throws FetchException;
}
