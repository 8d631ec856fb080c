/** Prometheus metrics of the runtime. */
package dev.skiff.runtime.metrics;
