/** Validating and running inference requests on a bounded pool of platform threads. */
package dev.skiff.runtime.inference;
