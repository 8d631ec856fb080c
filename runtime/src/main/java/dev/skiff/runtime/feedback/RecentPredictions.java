package dev.skiff.runtime.feedback;

import java.time.Instant;
import java.util.Optional;

/**
 * The predictions among the last {@code capacity} added, by request id, oldest dropped first, so
 * feedback that arrives minutes later can be joined without the memory growing with traffic. A
 * prediction is taken out when feedback claims it, so one answer is counted once; a claimed or
 * replaced prediction leaves its slot empty until the ring comes round to it.
 *
 * <p>Every slot is allocated once, up front: a ring of slots holding the id's characters, the
 * prediction's fields and its time, and an open-addressing index (linear probing) from id to slot.
 * Keeping {@link Prediction} objects in a map instead made each request leave ~170 bytes that live
 * as long as the window (about a second at 10k requests/s), long enough for the young collector to
 * promote them; the old generation then filled with dead predictions until a full collection, and
 * the heap reached 132 MB after 70 s of iris load (86 MB with this ring; docs/jvm.md). Now a
 * prediction retains only strings that outlive it anyway: the model and version names, and the
 * label from the model's label list.
 *
 * <p>Ids are request ids ({@link dev.skiff.runtime.web.RequestIds}): up to {@value #MAX_ID_LENGTH}
 * ASCII characters. A longer or non-ASCII id is not remembered (feedback for it answers 404).
 */
public final class RecentPredictions {
  public static final int DEFAULT_CAPACITY = 10_000;
  static final int MAX_ID_LENGTH = 128;

  /** An index entry of 0 is an empty cell; otherwise it is the slot number + 1. */
  private static final int EMPTY = 0;

  private final int capacity;
  private final byte[] ids;
  private final int[] idLengths;
  private final int[] idHashes;
  private final String[] models;
  private final String[] versions;
  private final String[] labels;
  private final int[] indexes;
  private final long[] seconds;
  private final int[] nanos;
  private final int[] index;
  private final int indexMask;

  /** The slot the next prediction is written to; it holds the oldest one once the ring is full. */
  private int next;

  private int size;

  public RecentPredictions(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1");
    }
    this.capacity = capacity;
    this.ids = new byte[Math.multiplyExact(capacity, MAX_ID_LENGTH)];
    this.idLengths = new int[capacity];
    this.idHashes = new int[capacity];
    this.models = new String[capacity];
    this.versions = new String[capacity];
    this.labels = new String[capacity];
    this.indexes = new int[capacity];
    this.seconds = new long[capacity];
    this.nanos = new int[capacity];
    // at most half full, so probe sequences stay short
    int cells = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1;
    this.index = new int[cells];
    this.indexMask = cells - 1;
  }

  public int capacity() {
    return capacity;
  }

  /**
   * Remembers a prediction; a later one under the same id replaces it. An id that is not up to
   * {@value #MAX_ID_LENGTH} ASCII characters is not remembered.
   */
  public synchronized void add(Prediction prediction) {
    String id = prediction.id();
    if (!storable(id)) {
      return;
    }
    int hash = spread(id.hashCode());
    int existing = slotOf(id, hash);
    if (existing >= 0) {
      remove(existing);
    }
    int slot = next;
    if (idLengths[slot] > 0) {
      remove(slot); // the oldest prediction makes room
    }
    int offset = slot * MAX_ID_LENGTH;
    for (int i = 0; i < id.length(); i++) {
      ids[offset + i] = (byte) id.charAt(i);
    }
    idLengths[slot] = id.length();
    idHashes[slot] = hash;
    models[slot] = prediction.model();
    versions[slot] = prediction.version();
    labels[slot] = prediction.label();
    indexes[slot] = prediction.index();
    seconds[slot] = prediction.time().getEpochSecond();
    nanos[slot] = nanosOf(prediction.time());
    int cell = hash & indexMask;
    while (index[cell] != EMPTY) {
      cell = (cell + 1) & indexMask;
    }
    index[cell] = slot + 1;
    size++;
    next = (slot + 1) % capacity;
  }

  /** The prediction under {@code id}, without removing it. */
  public synchronized Optional<Prediction> find(String id) {
    int slot = storable(id) ? slotOf(id, spread(id.hashCode())) : -1;
    return slot < 0 ? Optional.empty() : Optional.of(prediction(slot, id));
  }

  /** Takes the prediction under {@code id} out of the window. */
  public synchronized Optional<Prediction> claim(String id) {
    int slot = storable(id) ? slotOf(id, spread(id.hashCode())) : -1;
    if (slot < 0) {
      return Optional.empty();
    }
    Prediction prediction = prediction(slot, id);
    remove(slot);
    return Optional.of(prediction);
  }

  public synchronized int size() {
    return size;
  }

  /** Mixes a string hash's high bits into the low ones the index uses. */
  private static int spread(int hash) {
    return hash ^ (hash >>> 16);
  }

  private static boolean storable(String id) {
    if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      if (id.charAt(i) > 0x7f) {
        return false;
      }
    }
    return true;
  }

  private Prediction prediction(int slot, String id) {
    return new Prediction(
        models[slot],
        versions[slot],
        id,
        labels[slot],
        indexes[slot],
        Instant.ofEpochSecond(seconds[slot], nanos[slot]));
  }

  /** The slot holding {@code id}, or -1. */
  private int slotOf(String id, int hash) {
    for (int cell = hash & indexMask; index[cell] != EMPTY; cell = (cell + 1) & indexMask) {
      int slot = index[cell] - 1;
      if (idHashes[slot] == hash && sameId(slot, id)) {
        return slot;
      }
    }
    return -1;
  }

  private boolean sameId(int slot, String id) {
    if (idLengths[slot] != id.length()) {
      return false;
    }
    int offset = slot * MAX_ID_LENGTH;
    for (int i = 0; i < id.length(); i++) {
      if (ids[offset + i] != (byte) id.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Empties {@code slot} and takes it out of the index. */
  private void remove(int slot) {
    int cell = idHashes[slot] & indexMask;
    while (index[cell] != slot + 1) {
      cell = (cell + 1) & indexMask;
    }
    // Backward-shift deletion: move later entries of the same probe run into the hole, so a
    // lookup never stops early at an empty cell.
    int hole = cell;
    for (int scan = (hole + 1) & indexMask; index[scan] != EMPTY; scan = (scan + 1) & indexMask) {
      int home = idHashes[index[scan] - 1] & indexMask;
      boolean homeOutsideRun =
          hole <= scan ? (home <= hole || home > scan) : (home <= hole && home > scan);
      if (homeOutsideRun) {
        index[hole] = index[scan];
        hole = scan;
      }
    }
    index[hole] = EMPTY;
    idLengths[slot] = 0;
    models[slot] = null;
    versions[slot] = null;
    labels[slot] = null;
    size--;
  }

  /** The instant's nanosecond part; with {@link Instant#getEpochSecond()} it is the instant. */
  @SuppressWarnings("JavaInstantGetSecondsGetNano") // stored beside the seconds, in their own array
  private static int nanosOf(Instant time) {
    return time.getNano();
  }
}
