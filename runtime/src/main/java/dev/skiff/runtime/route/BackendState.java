package dev.skiff.runtime.route;

import java.time.Instant;

/**
 * What the health checker last learned about one version's backend.
 *
 * @param ready whether its {@code /health/ready} answered 200
 * @param detail why it is not ready (status code or connection error), empty when ready
 * @param since when it last changed between ready and not ready
 * @param timeoutsInARow checks in a row that timed out (a ready version survives one)
 */
record BackendState(boolean ready, String detail, Instant since, int timeoutsInARow) {
  static BackendState unknown() {
    return new BackendState(false, "not checked yet", Instant.now(), 0);
  }
}
