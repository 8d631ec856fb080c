/** The {@code fetch} mode: download a model URI into a version folder safely (init container). */
package dev.skiff.runtime.fetch;
