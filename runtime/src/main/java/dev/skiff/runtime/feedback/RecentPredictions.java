package dev.skiff.runtime.feedback;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The last {@code capacity} predictions by request id, oldest dropped first, so feedback that
 * arrives minutes later can be joined without the memory growing with traffic. A prediction is
 * taken out when feedback claims it, so one answer is counted once.
 */
public final class RecentPredictions {
  public static final int DEFAULT_CAPACITY = 10_000;

  private final int capacity;
  private final LinkedHashMap<String, Prediction> byId;

  public RecentPredictions(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1");
    }
    this.capacity = capacity;
    this.byId =
        new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Prediction> eldest) {
            return size() > RecentPredictions.this.capacity;
          }
        };
  }

  public int capacity() {
    return capacity;
  }

  /** Remembers a prediction; a later one under the same id replaces it. */
  public synchronized void add(Prediction prediction) {
    byId.remove(prediction.id()); // re-insert so it counts as the newest
    byId.put(prediction.id(), prediction);
  }

  /** The prediction under {@code id}, without removing it. */
  public synchronized Optional<Prediction> find(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** Takes the prediction under {@code id} out of the window. */
  public synchronized Optional<Prediction> claim(String id) {
    return Optional.ofNullable(byId.remove(id));
  }

  public synchronized int size() {
    return byId.size();
  }
}
