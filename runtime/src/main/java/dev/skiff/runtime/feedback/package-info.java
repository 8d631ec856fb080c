/** Feedback on predictions: recent predictions by request id, outcomes counted and logged. */
package dev.skiff.runtime.feedback;
