/**
 * HTTP plumbing that serve and route mode share: the server's limits ({@link
 * dev.skiff.runtime.web.HttpLimits}), request ids, one JSON error mapping for {@link
 * dev.skiff.runtime.web.ApiException} and Helidon's own errors, 405 answers, and the runtime's
 * version.
 */
package dev.skiff.runtime.web;
