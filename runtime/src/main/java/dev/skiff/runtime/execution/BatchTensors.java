package dev.skiff.runtime.execution;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Joins several requests' tensors along the first (batch) dimension into one model call, and cuts
 * the call's outputs back into each request's rows. Joined inputs go into one direct buffer so the
 * backend still takes them without a copy; outputs are split as views, not copies. Inputs that
 * {@link BatchPadding} names may differ in their last dimension: each request's rows are padded to
 * the batch's longest. Outputs are cut by rows only, so an output with a per-token dimension comes
 * back at the batch's padded length.
 */
final class BatchTensors {
  private BatchTensors() {}

  /**
   * One tensor per input: request {@code r}'s rows follow request {@code r-1}'s.
   *
   * @param requests each request's inputs, in the same input order, with equal non-batch dims
   *     except the last dimension of the inputs {@code padding} names
   */
  static List<Tensor> concat(List<List<Tensor>> requests, BatchPadding padding) {
    List<Tensor> first = requests.get(0);
    List<Tensor> joined = new ArrayList<>(first.size());
    for (int input = 0; input < first.size(); input++) {
      Tensor template = first.get(input);
      long rows = 0;
      for (List<Tensor> request : requests) {
        rows += request.get(input).dim(0);
      }
      long[] shape = template.shape();
      shape[0] = rows;
      int last = shape.length - 1;
      long longest = 0;
      boolean lengthsDiffer = false;
      if (last > 0 && padding.pads(template.name())) {
        for (List<Tensor> request : requests) {
          long length = request.get(input).dim(last);
          lengthsDiffer |= length != template.dim(last);
          longest = Math.max(longest, length);
        }
      }
      if (lengthsDiffer) {
        shape[last] = longest;
        joined.add(padded(requests, input, shape, padding.padValue(template.name())));
      } else if (template.datatype() == Datatype.BYTES) {
        byte[][] strings = new byte[Math.toIntExact(Tensor.elementCount(shape))][];
        int next = 0;
        for (List<Tensor> request : requests) {
          byte[][] part = request.get(input).strings();
          System.arraycopy(part, 0, strings, next, part.length);
          next += part.length;
        }
        joined.add(Tensor.ofStrings(template.name(), shape, strings));
      } else {
        long bytes = Tensor.elementCount(shape) * template.datatype().byteSize();
        ByteBuffer buffer =
            ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
        for (List<Tensor> request : requests) {
          buffer.put(request.get(input).rawData().duplicate());
        }
        buffer.flip();
        joined.add(Tensor.ofBuffer(template.name(), template.datatype(), shape, buffer));
      }
    }
    return joined;
  }

  /**
   * Input {@code input} of every request, each row of its last dimension padded with {@code value}
   * to {@code shape}'s last dimension.
   */
  private static Tensor padded(List<List<Tensor>> requests, int input, long[] shape, long value) {
    Tensor template = requests.get(0).get(input);
    Datatype datatype = template.datatype();
    if (!BatchPadding.canPad(datatype)) {
      throw new IllegalArgumentException(
          "input '" + template.name() + "' is " + datatype + "; only INT64 and INT32 are padded");
    }
    int size = datatype.byteSize();
    int longest = Math.toIntExact(shape[shape.length - 1]);
    ByteBuffer buffer =
        ByteBuffer.allocateDirect(Math.toIntExact(Tensor.elementCount(shape) * size))
            .order(ByteOrder.nativeOrder());
    for (List<Tensor> request : requests) {
      Tensor part = request.get(input);
      long[] partShape = part.shape();
      int length = Math.toIntExact(partShape[partShape.length - 1]);
      long lines = Tensor.elementCount(Arrays.copyOf(partShape, partShape.length - 1));
      ByteBuffer data = part.rawData();
      for (long line = 0; line < lines; line++) {
        int from = data.position() + Math.toIntExact(line * length * size);
        buffer.put(data.slice(from, length * size));
        for (int pad = length; pad < longest; pad++) {
          if (datatype == Datatype.INT64) {
            buffer.putLong(value);
          } else {
            buffer.putInt(Math.toIntExact(value));
          }
        }
      }
    }
    buffer.flip();
    return Tensor.ofBuffer(template.name(), datatype, shape, buffer);
  }

  /**
   * Cuts each output into the requests' rows, keeping for each request only the outputs it asked
   * for.
   *
   * @throws IllegalStateException when an output's first dimension is not the batch's row count
   */
  static List<Map<String, Tensor>> split(
      Map<String, Tensor> outputs, long[] rows, List<Set<String>> wanted) {
    long total = Arrays.stream(rows).sum();
    for (Tensor output : outputs.values()) {
      if (output.rank() == 0 || output.dim(0) != total) {
        throw new IllegalStateException(
            "output '"
                + output.name()
                + "' has shape "
                + Arrays.toString(output.shape())
                + ", not "
                + total
                + " rows as the batch has; the model does not treat dimension 0 as the batch");
      }
    }
    List<Map<String, Tensor>> perRequest = new ArrayList<>(rows.length);
    long firstRow = 0;
    for (int r = 0; r < rows.length; r++) {
      Map<String, Tensor> mine = new LinkedHashMap<>();
      for (String name : wanted.get(r)) {
        Tensor output = outputs.get(name);
        if (output != null) {
          mine.put(name, rowsOf(output, firstRow, rows[r]));
        }
      }
      perRequest.add(mine);
      firstRow += rows[r];
    }
    return perRequest;
  }

  private static Tensor rowsOf(Tensor tensor, long firstRow, long count) {
    long[] shape = tensor.shape();
    shape[0] = count;
    long rowElements = tensor.dim(0) == 0 ? 0 : tensor.elementCount() / tensor.dim(0);
    int from = Math.toIntExact(firstRow * rowElements);
    int elements = Math.toIntExact(count * rowElements);
    if (tensor.datatype() == Datatype.BYTES) {
      return Tensor.ofStrings(
          tensor.name(), shape, Arrays.copyOfRange(tensor.strings(), from, from + elements));
    }
    int size = tensor.datatype().byteSize();
    ByteBuffer slice = tensor.rawData().slice(from * size, elements * size);
    return Tensor.ofBuffer(tensor.name(), tensor.datatype(), shape, slice);
  }
}
