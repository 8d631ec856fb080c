package dev.skiff.runtime.text;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A request's texts as tokens, row-major {@code [rows, length]}, every row padded to {@code
 * length}: token ids, the attention mask (1 for a real token, 0 for padding) and segment ids (0 for
 * a single text).
 */
public final class Tokens {

  /** The model input {@code input_ids}, {@code attention_mask} or {@code token_type_ids}. */
  public static final String INPUT_IDS = "input_ids";

  public static final String ATTENTION_MASK = "attention_mask";
  public static final String TOKEN_TYPE_IDS = "token_type_ids";

  /** The names a text model's inputs may have; {@link #INPUT_IDS} is the one it must have. */
  public static final List<String> INPUT_NAMES = List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);

  private final int rows;
  private final int length;
  private final long[] ids;
  private final long[] attentionMask;
  private final long[] typeIds;

  Tokens(int rows, int length, long[] ids, long[] attentionMask, long[] typeIds) {
    this.rows = rows;
    this.length = length;
    this.ids = ids;
    this.attentionMask = attentionMask;
    this.typeIds = typeIds;
  }

  public int rows() {
    return rows;
  }

  /** Tokens per row, padding included. */
  public int length() {
    return length;
  }

  /** Row {@code row} of input {@code name} ({@link #INPUT_NAMES}). */
  public long[] row(String name, int row) {
    return Arrays.copyOfRange(values(name), row * length, (row + 1) * length);
  }

  private long[] values(String name) {
    return switch (name) {
      case INPUT_IDS -> ids;
      case ATTENTION_MASK -> attentionMask;
      case TOKEN_TYPE_IDS -> typeIds;
      default -> throw new IllegalArgumentException("not a token input: " + name);
    };
  }

  /** INT64 tensors for the named inputs, in the order given. */
  public List<Tensor> tensors(List<String> inputNames) {
    List<Tensor> tensors = new ArrayList<>(inputNames.size());
    for (String name : inputNames) {
      long[] values = values(name);
      ByteBuffer buffer =
          ByteBuffer.allocateDirect(values.length * Long.BYTES).order(ByteOrder.nativeOrder());
      buffer.asLongBuffer().put(values);
      tensors.add(Tensor.ofBuffer(name, Datatype.INT64, new long[] {rows, length}, buffer));
    }
    return tensors;
  }
}
