/**
 * End-to-end tests on a real node: the project's images, the operator installed by Helm as a pod,
 * model pods that really fetch and serve, and real traffic through Services (hack/e2e/run.sh).
 */
package dev.skiff.operator.e2e;
