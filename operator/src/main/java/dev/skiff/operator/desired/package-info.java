/**
 * Pure functions from a ModelDeployment to the Kubernetes objects and status it should have; no API
 * server needed, so each is unit-tested by calling it.
 */
package dev.skiff.operator.desired;
