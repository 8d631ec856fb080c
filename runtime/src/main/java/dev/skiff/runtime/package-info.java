/** The Skiff inference runtime's entry point; the modes are in {@link dev.skiff.runtime.cli}. */
package dev.skiff.runtime;
