package dev.skiff.runtime.tensor;

import dev.skiff.api.contract.Datatype;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named tensor as it crosses the server: fixed-size elements in one native-order buffer (direct
 * when it came from a request, so ONNX Runtime can use it without a copy), or byte strings for
 * {@link Datatype#BYTES}.
 */
public final class Tensor {
  private final String name;
  private final Datatype datatype;
  private final long[] shape;
  private final ByteBuffer data;
  private final byte[][] strings;

  private Tensor(String name, Datatype datatype, long[] shape, ByteBuffer data, byte[][] strings) {
    this.name = Objects.requireNonNull(name, "name");
    this.datatype = Objects.requireNonNull(datatype, "datatype");
    this.shape = shape.clone();
    this.data = data;
    this.strings = strings;
  }

  /** A fixed-size tensor over {@code data}, whose remaining bytes must hold every element. */
  public static Tensor ofBuffer(String name, Datatype datatype, long[] shape, ByteBuffer data) {
    if (datatype == Datatype.BYTES) {
      throw new IllegalArgumentException("BYTES tensors hold strings, not a buffer");
    }
    long expected = elementCount(shape) * datatype.byteSize();
    if (data.remaining() != expected) {
      throw new IllegalArgumentException(
          "tensor " + name + " needs " + expected + " bytes, buffer has " + data.remaining());
    }
    return new Tensor(name, datatype, shape, data.slice().order(ByteOrder.nativeOrder()), null);
  }

  public static Tensor ofStrings(String name, long[] shape, byte[][] strings) {
    if (strings.length != elementCount(shape)) {
      throw new IllegalArgumentException(
          "tensor "
              + name
              + " shape "
              + Arrays.toString(shape)
              + " needs "
              + elementCount(shape)
              + " strings, got "
              + strings.length);
    }
    return new Tensor(name, Datatype.BYTES, shape, null, strings);
  }

  /** Product of the dimensions; 1 for a scalar. */
  public static long elementCount(long[] shape) {
    long count = 1;
    for (long dim : shape) {
      count = Math.multiplyExact(count, dim);
    }
    return count;
  }

  public String name() {
    return name;
  }

  public Datatype datatype() {
    return datatype;
  }

  public long[] shape() {
    return shape.clone();
  }

  public long dim(int index) {
    return shape[index];
  }

  public int rank() {
    return shape.length;
  }

  public long elementCount() {
    return elementCount(shape);
  }

  /** A read-only, native-order view of the elements; not for {@link Datatype#BYTES}. */
  public ByteBuffer data() {
    if (data == null) {
      throw new IllegalStateException("BYTES tensor " + name + " has no buffer");
    }
    return data.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
  }

  /** The raw buffer, for zero-copy hand-off to a backend; callers must not modify it. */
  public ByteBuffer rawData() {
    return data;
  }

  /** The byte strings of a {@link Datatype#BYTES} tensor. */
  public byte[][] strings() {
    if (strings == null) {
      throw new IllegalStateException(datatype + " tensor " + name + " has no strings");
    }
    return strings;
  }

  /** The same data under another name (outputs are renamed to what the client asked for). */
  public Tensor withName(String newName) {
    return new Tensor(newName, datatype, shape, data, strings);
  }

  @Override
  public String toString() {
    return "Tensor[" + name + " " + datatype + " " + Arrays.toString(shape) + "]";
  }
}
