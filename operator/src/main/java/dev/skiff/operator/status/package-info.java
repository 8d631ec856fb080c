/**
 * The ModelDeployment's status from what the cluster shows: per-version readiness and the pod
 * diagnosis behind a version that is not ready, the conditions with their typed reasons, the
 * traffic condition and column, and the Events a status change is worth. Pure: no API server.
 */
package dev.skiff.operator.status;
