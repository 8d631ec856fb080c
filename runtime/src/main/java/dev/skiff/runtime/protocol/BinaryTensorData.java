package dev.skiff.runtime.protocol;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.web.ApiException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Tensor elements in the binary tensor data extension of the V2 protocol (Triton's): fixed-size
 * elements little-endian and back to back, BOOL one byte (0 or 1), each BYTES element a 4-byte
 * little-endian length followed by its bytes. Inputs land in a direct native-order buffer with one
 * copy from the body, so the backend takes them as they are.
 */
public final class BinaryTensorData {
  /** Request and response header giving the length of the JSON part; the tensor bytes follow. */
  public static final String HEADER = "Inference-Header-Content-Length";

  private static final boolean NATIVE_IS_LITTLE_ENDIAN =
      ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  private BinaryTensorData() {}

  /**
   * Parses the {@value #HEADER} request header against the body it describes.
   *
   * @return the JSON header's length in bytes
   * @throws ApiException 400 for a value that is not a non-negative integer or exceeds the body
   */
  public static int headerLength(String value, int bodyLength) {
    String text = value.strip();
    if (!text.matches("[0-9]{1,10}")) {
      throw ApiException.badRequest(
          HEADER
              + " must be a non-negative integer (the JSON part's length in bytes), found '"
              + abbreviate(text)
              + "'");
    }
    long length = Long.parseLong(text);
    if (length > bodyLength) {
      throw ApiException.badRequest(
          HEADER + " is " + length + " but the body has only " + bodyLength + " bytes");
    }
    return (int) length;
  }

  /**
   * Decodes one input's {@code size} bytes at {@code offset} of {@code body}.
   *
   * @throws ApiException 400 when the bytes do not hold exactly the elements the shape needs
   */
  static Tensor readInput(
      String name, Datatype datatype, long[] shape, byte[] body, int offset, int size) {
    return readInput(name, datatype, shape, body, offset, size, "binary_data_size");
  }

  /**
   * Decodes one input's bytes like {@link #readInput(String, Datatype, long[], byte[], int, int)};
   * errors call the bytes {@code sizeName} (gRPC's {@code raw_input_contents[i]}).
   */
  static Tensor readInput(
      String name,
      Datatype datatype,
      long[] shape,
      byte[] body,
      int offset,
      int size,
      String sizeName) {
    long count;
    try {
      count = Tensor.elementCount(shape);
    } catch (ArithmeticException e) {
      throw ApiException.badRequest(
          "input '" + name + "': shape " + Arrays.toString(shape) + " is too large");
    }
    if (datatype == Datatype.BYTES) {
      return Tensor.ofStrings(name, shape, readStrings(name, count, body, offset, size, sizeName));
    }
    int elementSize = datatype.byteSize();
    if (count > Integer.MAX_VALUE || count * elementSize != size) {
      throw ApiException.badRequest(
          "input '"
              + name
              + "': "
              + sizeName
              + " is "
              + size
              + " bytes but "
              + datatype
              + " "
              + Arrays.toString(shape)
              + " needs "
              + (count <= Integer.MAX_VALUE ? Long.toString(count * elementSize) : "over 2^31")
              + " ("
              + count
              + " elements of "
              + elementSize
              + " bytes)");
    }
    ByteBuffer buffer = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    if (NATIVE_IS_LITTLE_ENDIAN || elementSize == 1) {
      buffer.put(body, offset, size);
    } else {
      reorder(
          buffer, ByteBuffer.wrap(body, offset, size).order(ByteOrder.LITTLE_ENDIAN), elementSize);
    }
    buffer.flip();
    if (datatype == Datatype.BOOL) {
      for (int i = 0; i < size; i++) {
        byte b = buffer.get(i);
        if (b != 0 && b != 1) {
          throw ApiException.badRequest(
              "input '"
                  + name
                  + "': BOOL element "
                  + i
                  + " is the byte "
                  + b
                  + "; binary BOOL elements must be 0 or 1");
        }
      }
    }
    return Tensor.ofBuffer(name, datatype, shape, buffer);
  }

  private static byte[][] readStrings(
      String name, long count, byte[] body, int offset, int size, String sizeName) {
    if (count > size / 4) {
      throw ApiException.badRequest(
          "input '"
              + name
              + "': "
              + sizeName
              + " "
              + size
              + " is too small for "
              + count
              + " BYTES elements (each needs a 4-byte length)");
    }
    byte[][] strings = new byte[(int) count][];
    ByteBuffer in = ByteBuffer.wrap(body, offset, size).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < count; i++) {
      if (in.remaining() < 4) {
        throw ApiException.badRequest(
            "input '"
                + name
                + "': BYTES element "
                + i
                + " has no room for its 4-byte length within "
                + sizeName
                + " "
                + size);
      }
      long length = Integer.toUnsignedLong(in.getInt());
      if (length > in.remaining()) {
        throw ApiException.badRequest(
            "input '"
                + name
                + "': BYTES element "
                + i
                + " claims "
                + length
                + " bytes but only "
                + in.remaining()
                + " remain within "
                + sizeName
                + " "
                + size);
      }
      strings[i] = new byte[(int) length];
      in.get(strings[i]);
    }
    if (in.hasRemaining()) {
      throw ApiException.badRequest(
          "input '"
              + name
              + "': "
              + in.remaining()
              + " bytes are left after its "
              + count
              + " BYTES elements; "
              + sizeName
              + " must cover exactly the elements");
    }
    return strings;
  }

  /** How many bytes {@link #write} produces for the tensor. */
  public static long byteSize(Tensor tensor) {
    if (tensor.datatype() != Datatype.BYTES) {
      return tensor.elementCount() * tensor.datatype().byteSize();
    }
    long size = 0;
    for (byte[] s : tensor.strings()) {
      size += 4 + s.length;
    }
    return size;
  }

  /** Writes the tensor's elements in the extension's little-endian layout. */
  public static void write(Tensor tensor, OutputStream out) throws IOException {
    if (tensor.datatype() == Datatype.BYTES) {
      ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      for (byte[] s : tensor.strings()) {
        out.write(length.putInt(0, s.length).array());
        out.write(s);
      }
      return;
    }
    ByteBuffer data = tensor.data();
    byte[] bytes = new byte[data.remaining()];
    if (NATIVE_IS_LITTLE_ENDIAN || tensor.datatype().byteSize() == 1) {
      data.get(bytes);
    } else {
      reorder(
          ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN),
          data,
          tensor.datatype().byteSize());
    }
    out.write(bytes);
  }

  /** Copies elements between buffers of different byte order (on big-endian machines). */
  private static void reorder(ByteBuffer to, ByteBuffer from, int elementSize) {
    while (from.hasRemaining()) {
      switch (elementSize) {
        case 2 -> to.putShort(from.getShort());
        case 4 -> to.putInt(from.getInt());
        case 8 -> to.putLong(from.getLong());
        default -> to.put(from.get());
      }
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 20 ? text : text.substring(0, 20) + "...";
  }
}
