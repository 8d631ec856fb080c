package dev.skiff.runtime.tensor;

import dev.skiff.api.contract.Datatype;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A named tensor's declared contract: element type and shape, where {@code -1} marks a dimension of
 * any size (usually the batch).
 */
// An array, as the backends and codecs take shapes; the record copies it in and out and compares
// it by content, which is what the check is about.
@SuppressWarnings("ArrayRecordComponent")
public record TensorSpec(String name, Datatype datatype, long[] shape) {

  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(datatype, "datatype");
    shape = shape.clone();
  }

  public static TensorSpec of(String name, Datatype datatype, List<Long> shape) {
    return new TensorSpec(name, datatype, shape.stream().mapToLong(Long::longValue).toArray());
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int index) {
    return shape[index];
  }

  /** True when {@code actual} has this rank and agrees on every fixed dimension. */
  public boolean acceptsShape(long[] actual) {
    if (actual.length != shape.length) {
      return false;
    }
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] >= 0 && shape[i] != actual[i]) {
        return false;
      }
    }
    return true;
  }

  public String shapeText() {
    return Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec other
        && name.equals(other.name)
        && datatype == other.datatype
        && Arrays.equals(shape, other.shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, datatype, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return name + " " + datatype + " " + shapeText();
  }
}
