/** The runtime in {@code route} mode: a weighted reverse proxy in front of per-version backends. */
package dev.skiff.runtime.route;
