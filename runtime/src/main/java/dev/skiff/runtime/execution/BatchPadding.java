package dev.skiff.runtime.execution;

import dev.skiff.api.contract.Datatype;
import java.util.Map;

/**
 * Which inputs' last dimension may differ between the requests of one batch, and the value each is
 * padded with up to the batch's longest: a text model's {@code input_ids} with the tokenizer's pad
 * id, {@code attention_mask} and {@code token_type_ids} with 0 (docs/text.md). Requests that differ
 * anywhere else still never join. Padding costs compute: every row of the batch runs at the longest
 * request's length.
 *
 * @param padValues input name to pad value; the inputs must be INT64 or INT32
 */
public record BatchPadding(Map<String, Long> padValues) {

  /** No input is padded: requests join only requests of the same non-batch dimensions. */
  public static final BatchPadding NONE = new BatchPadding(Map.of());

  public BatchPadding {
    padValues = Map.copyOf(padValues);
  }

  /** Whether requests may differ in input {@code name}'s last dimension. */
  boolean pads(String name) {
    return padValues.containsKey(name);
  }

  long padValue(String name) {
    return padValues.get(name);
  }

  static boolean canPad(Datatype datatype) {
    return datatype == Datatype.INT64 || datatype == Datatype.INT32;
  }
}
