package dev.skiff.runtime.feedback;

import java.time.Instant;

/**
 * What a model answered under one request id, kept so feedback can be joined to it.
 *
 * @param model the model's name
 * @param version the version that answered
 * @param id the request id
 * @param label the predicted class name (first row), or null when the answer had none
 * @param index the predicted class index, or -1 when unknown
 * @param time when it was answered
 */
public record Prediction(
    String model, String version, String id, String label, int index, Instant time) {

  /** Whether {@code given} (a class name or index, as text) names the predicted class. */
  public boolean matches(String given) {
    return label != null && (given.equals(label) || given.equals(Integer.toString(index)));
  }
}
