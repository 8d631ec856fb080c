/**
 * Running model calls: a bounded pool of platform threads (JNI pins virtual threads) and dynamic
 * batching of concurrent requests for one version.
 */
package dev.skiff.runtime.execution;
