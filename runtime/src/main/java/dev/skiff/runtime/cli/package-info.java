/** Command-line modes of the runtime. */
package dev.skiff.runtime.cli;
