package dev.skiff.runtime.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.web.ApiException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Streams a JSON {@code data} value (a flat or nested array, or one scalar) straight into a
 * tensor's native buffer, checking every element against the datatype. No boxed or intermediate
 * arrays. The buffer grows with the values that actually arrive (doubling, up to the declared
 * count) rather than being sized from the declared shape: a shape is only a claim, and an 80-byte
 * body claiming 16 million elements must not make the server allocate 128 MiB.
 */
final class TensorDataReader {
  /** Java buffers and arrays are int-indexed; a 64-bit count must never be cast past this. */
  static final long MAX_ELEMENTS_PER_TENSOR = Integer.MAX_VALUE / Long.BYTES;

  private static final BigInteger UINT64_MAX =
      BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /** Elements room is first made for; later growth doubles it. */
  static final int INITIAL_ELEMENTS = 1024;

  private final String tensorName;
  private final Datatype datatype;
  private final long[] shape;
  private final int expected;
  private ByteBuffer buffer;
  private byte[][] strings;
  private long count;

  private TensorDataReader(String tensorName, Datatype datatype, long[] shape, int expected) {
    this.tensorName = tensorName;
    this.datatype = datatype;
    this.shape = shape;
    this.expected = expected;
    int initial = Math.min(expected, INITIAL_ELEMENTS);
    if (datatype == Datatype.BYTES) {
      this.buffer = null;
      this.strings = new byte[initial][];
    } else {
      this.buffer =
          ByteBuffer.allocateDirect(initial * datatype.byteSize()).order(ByteOrder.nativeOrder());
      this.strings = null;
    }
  }

  /** Makes room for element {@code index} (below {@code expected}), doubling the storage. */
  private void ensureRoom(long index) {
    int capacity =
        datatype == Datatype.BYTES ? strings.length : buffer.capacity() / datatype.byteSize();
    if (index < capacity) {
      return;
    }
    int grown = (int) Math.min(expected, Math.max(1L, 2L * capacity));
    if (datatype == Datatype.BYTES) {
      strings = Arrays.copyOf(strings, grown);
    } else {
      ByteBuffer bigger =
          ByteBuffer.allocateDirect(grown * datatype.byteSize()).order(ByteOrder.nativeOrder());
      buffer.flip();
      bigger.put(buffer);
      buffer = bigger;
    }
  }

  /**
   * Reads the value at the parser's current token (the first token of {@code data}).
   *
   * @param maxElements the most elements any tensor may have (derived from the payload limit)
   */
  static Tensor read(
      JsonParser parser, String name, Datatype datatype, long[] shape, long maxElements)
      throws IOException {
    long expected;
    try {
      expected = Tensor.elementCount(shape);
    } catch (ArithmeticException e) {
      throw ApiException.badRequest(
          "input '" + name + "': shape " + Arrays.toString(shape) + " is too large");
    }
    long limit = Math.min(maxElements, MAX_ELEMENTS_PER_TENSOR);
    if (expected > limit) {
      throw ApiException.payloadTooLarge(
          "input '"
              + name
              + "': shape "
              + Arrays.toString(shape)
              + " has "
              + expected
              + " elements, more than the limit of "
              + limit
              + " (half of --max-payload-bytes: each JSON value takes at least two bytes)");
    }
    TensorDataReader reader = new TensorDataReader(name, datatype, shape, (int) expected);
    reader.readValue(parser);
    if (reader.count != expected) {
      throw ApiException.badRequest(
          "input '"
              + name
              + "': shape "
              + Arrays.toString(shape)
              + " needs "
              + expected
              + " values, data has "
              + reader.count);
    }
    if (datatype == Datatype.BYTES) {
      return Tensor.ofStrings(name, shape, reader.strings);
    }
    reader.buffer.flip();
    return Tensor.ofBuffer(name, datatype, shape, reader.buffer);
  }

  private void readValue(JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    if (token == JsonToken.START_ARRAY) {
      while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
        if (token == null) {
          throw ApiException.badRequest("input '" + tensorName + "': data array is not closed");
        }
        if (token == JsonToken.START_ARRAY) {
          readValue(parser);
        } else {
          readElement(parser, token);
        }
      }
    } else {
      readElement(parser, token);
    }
  }

  private void readElement(JsonParser parser, JsonToken token) throws IOException {
    long index = count++;
    if (index >= expected) {
      if (token == JsonToken.START_OBJECT) {
        parser.skipChildren();
      }
      return; // keep counting so the error can say how many values there were
    }
    ensureRoom(index);
    switch (datatype) {
      case BOOL -> buffer.put((byte) (readBoolean(parser, token, index) ? 1 : 0));
      case UINT8 -> buffer.put((byte) readInteger(parser, token, index, 0, 0xFF));
      case INT8 ->
          buffer.put((byte) readInteger(parser, token, index, Byte.MIN_VALUE, Byte.MAX_VALUE));
      case UINT16 -> buffer.putShort((short) readInteger(parser, token, index, 0, 0xFFFF));
      case INT16 ->
          buffer.putShort(
              (short) readInteger(parser, token, index, Short.MIN_VALUE, Short.MAX_VALUE));
      case UINT32 -> buffer.putInt((int) readInteger(parser, token, index, 0, 0xFFFF_FFFFL));
      case INT32 ->
          buffer.putInt(
              (int) readInteger(parser, token, index, Integer.MIN_VALUE, Integer.MAX_VALUE));
      case INT64 ->
          buffer.putLong(readInteger(parser, token, index, Long.MIN_VALUE, Long.MAX_VALUE));
      case UINT64 -> buffer.putLong(readUnsigned64(parser, token, index));
      case FP16 -> buffer.putShort(Float.floatToFloat16(readFloat32(parser, token, index)));
      case FP32 -> buffer.putFloat(readFloat32(parser, token, index));
      case FP64 -> buffer.putDouble(readDouble(parser, token, index));
      case BYTES -> strings[(int) index] = readString(parser, token, index);
    }
  }

  private boolean readBoolean(JsonParser parser, JsonToken token, long index) throws IOException {
    if (token == JsonToken.VALUE_TRUE) {
      return true;
    }
    if (token == JsonToken.VALUE_FALSE) {
      return false;
    }
    throw invalid(parser, token, index, "true or false");
  }

  private long readInteger(JsonParser parser, JsonToken token, long index, long min, long max)
      throws IOException {
    long value;
    if (token == JsonToken.VALUE_NUMBER_INT) {
      if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        throw outOfRange(parser.getText(), index);
      }
      value = parser.getLongValue();
    } else if (token == JsonToken.VALUE_NUMBER_FLOAT) {
      double d = parser.getDoubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw ApiException.badRequest(
            "input '"
                + tensorName
                + "': "
                + parser.getText()
                + " at index "
                + index
                + " is not allowed for "
                + datatype);
      }
      if (d != Math.rint(d)) {
        throw ApiException.badRequest(
            "input '"
                + tensorName
                + "': value "
                + parser.getText()
                + " at index "
                + index
                + " is not an integer, as "
                + datatype
                + " requires");
      }
      if (d < min || d > max) {
        throw outOfRange(parser.getText(), index);
      }
      value = (long) d;
    } else {
      throw invalid(parser, token, index, "an integer");
    }
    if (value < min || value > max) {
      throw outOfRange(parser.getText(), index);
    }
    return value;
  }

  private long readUnsigned64(JsonParser parser, JsonToken token, long index) throws IOException {
    if (token != JsonToken.VALUE_NUMBER_INT) {
      if (token == JsonToken.VALUE_NUMBER_FLOAT) {
        return readInteger(parser, token, index, 0, Long.MAX_VALUE);
      }
      throw invalid(parser, token, index, "an integer");
    }
    BigInteger value = parser.getBigIntegerValue();
    if (value.signum() < 0 || value.compareTo(UINT64_MAX) > 0) {
      throw outOfRange(parser.getText(), index);
    }
    return value.longValue();
  }

  private float readFloat32(JsonParser parser, JsonToken token, long index) throws IOException {
    double d = readDouble(parser, token, index);
    float f = (float) d;
    if (Float.isInfinite(f) && !Double.isInfinite(d)) {
      throw outOfRange(parser.getText(), index);
    }
    return f;
  }

  private double readDouble(JsonParser parser, JsonToken token, long index) throws IOException {
    if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
      return parser.getDoubleValue();
    }
    throw invalid(parser, token, index, "a number");
  }

  private byte[] readString(JsonParser parser, JsonToken token, long index) throws IOException {
    if (token != JsonToken.VALUE_STRING) {
      throw invalid(parser, token, index, "a string");
    }
    return parser.getText().getBytes(StandardCharsets.UTF_8);
  }

  private ApiException outOfRange(String text, long index) {
    return ApiException.badRequest(
        "input '"
            + tensorName
            + "': value "
            + text
            + " at index "
            + index
            + " is out of range for "
            + datatype);
  }

  private ApiException invalid(JsonParser parser, JsonToken token, long index, String wanted)
      throws IOException {
    String found =
        switch (token) {
          case START_OBJECT -> "an object";
          case VALUE_STRING -> "the string \"" + abbreviate(parser.getText()) + "\"";
          case VALUE_NULL -> "null";
          default -> parser.getText();
        };
    return ApiException.badRequest(
        "input '"
            + tensorName
            + "': "
            + datatype
            + " data needs "
            + wanted
            + " at index "
            + index
            + ", found "
            + found);
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }

  long[] shape() {
    return shape;
  }
}
