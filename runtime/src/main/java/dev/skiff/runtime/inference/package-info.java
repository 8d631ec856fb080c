/**
 * Answering one inference request against a served version, whatever protocol it came in: the
 * version's contract holds the request, the version runs it, and images and predictions are taken
 * care of once.
 */
package dev.skiff.runtime.inference;
