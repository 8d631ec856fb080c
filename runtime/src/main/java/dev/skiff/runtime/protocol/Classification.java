package dev.skiff.runtime.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.web.ApiException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Triton's classification extension: an output requested with {@code "parameters":
 * {"classification": N}} (tritonclient's {@code class_count=N}) comes back as the N best classes of
 * each row instead of the raw scores: BYTES strings {@code "score:index:label"} ({@code
 * "score:index"} where the model has no label for the index), best first. The last dimension holds
 * the classes; it becomes {@code min(N, classes)} long.
 *
 * @param classCounts N by output name, for the outputs that asked
 */
public record Classification(Map<String, Integer> classCounts) {
  /** The output parameter Triton's clients send. */
  public static final String PARAMETER = "classification";

  public Classification {
    classCounts = Map.copyOf(classCounts);
  }

  /**
   * Reads the request's class counts, before the model runs.
   *
   * @throws ApiException 400 when a count is not a positive integer
   */
  public static Classification of(InferenceRequest request) {
    Map<String, Integer> counts = new HashMap<>();
    for (RequestedOutput output : request.outputs()) {
      JsonNode value = output.parameters() == null ? null : output.parameters().get(PARAMETER);
      if (value == null) {
        continue;
      }
      if (!value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() < 1) {
        throw ApiException.badRequest(
            "output '"
                + output.name()
                + "': parameter '"
                + PARAMETER
                + "' must be a positive integer (the number of classes), found "
                + value);
      }
      counts.put(output.name(), value.intValue());
    }
    return new Classification(counts);
  }

  /** The response with each classified output replaced by its classes. */
  public InferenceResponse apply(InferenceResponse response, List<String> labels) {
    if (classCounts.isEmpty()) {
      return response;
    }
    List<Tensor> outputs = new ArrayList<>(response.outputs().size());
    for (Tensor output : response.outputs()) {
      Integer count = classCounts.get(output.name());
      outputs.add(count == null ? output : classify(output, count, labels));
    }
    return new InferenceResponse(
        response.modelName(),
        response.modelVersion(),
        response.id(),
        response.parameters(),
        outputs);
  }

  static Tensor classify(Tensor scores, int count, List<String> labels) {
    Datatype type = scores.datatype();
    if (scores.rank() == 0 || type == Datatype.BYTES || type == Datatype.BOOL) {
      throw ApiException.badRequest(
          "output '"
              + scores.name()
              + "' ("
              + type
              + " "
              + Arrays.toString(scores.shape())
              + ") has no class scores to classify; '"
              + PARAMETER
              + "' needs a numeric output whose last dimension holds the classes");
    }
    int classes = (int) scores.dim(scores.rank() - 1);
    int kept = Math.min(count, classes);
    long rows = classes == 0 ? 0 : scores.elementCount() / classes;
    ByteBuffer data = scores.data();
    byte[][] results = new byte[(int) (rows * kept)][];
    double[] row = new double[classes];
    Integer[] order = new Integer[classes];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < classes; c++) {
        row[c] = read(data, type);
        order[c] = c;
      }
      // best first; equal scores keep class order
      Arrays.sort(order, (a, b) -> Double.compare(row[b], row[a]));
      for (int k = 0; k < kept; k++) {
        int index = order[k];
        results[r * kept + k] = entry(row[index], type, index, labels);
      }
    }
    long[] shape = scores.shape();
    shape[shape.length - 1] = kept;
    return Tensor.ofStrings(scores.name(), shape, results);
  }

  /** Triton writes the score with C++'s {@code std::to_string}: six decimals, or an integer. */
  private static byte[] entry(double score, Datatype type, int index, List<String> labels) {
    String value =
        type.isFloatingPoint()
            ? String.format(Locale.ROOT, "%f", score)
            : Long.toString((long) score);
    String text = value + ":" + index;
    if (index < labels.size()) {
      text += ":" + labels.get(index);
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static double read(ByteBuffer data, Datatype type) {
    return switch (type) {
      case UINT8 -> Byte.toUnsignedInt(data.get());
      case INT8 -> data.get();
      case UINT16 -> Short.toUnsignedInt(data.getShort());
      case INT16 -> data.getShort();
      case UINT32 -> Integer.toUnsignedLong(data.getInt());
      case INT32 -> data.getInt();
      case UINT64, INT64 -> data.getLong();
      case FP16 -> Float.float16ToFloat(data.getShort());
      case FP32 -> data.getFloat();
      case FP64 -> data.getDouble();
      case BOOL, BYTES -> throw new IllegalArgumentException(type + " has no scores");
    };
  }
}
