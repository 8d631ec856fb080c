package dev.skiff.runtime.text;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.tensor.TensorSpec;
import dev.skiff.runtime.web.ApiException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where a request to a text model carries its texts: one BYTES input named {@value #INPUT} of shape
 * {@code [n]} (or {@code [n, 1]}), each element one UTF-8 text; a V1 request's {@code instances}
 * are read as that input ({@link #SPEC}).
 */
public final class TextInputs {
  /** The request input that holds the texts. */
  public static final String INPUT = "text";

  /** The text input as a V1 request's instances are read: one string per instance. */
  public static final TensorSpec SPEC = new TensorSpec(INPUT, Datatype.BYTES, new long[] {-1});

  private TextInputs() {}

  /**
   * The texts of a request, or empty when it carries no {@value #INPUT} input (then it must carry
   * the token tensors itself, and validation says what is missing).
   *
   * @throws ApiException 400 when the text input is not BYTES, not {@code [n]} or {@code [n, 1]},
   *     comes with other inputs, or holds bytes that are not UTF-8
   */
  public static Optional<List<String>> texts(List<Tensor> inputs) {
    Tensor given = inputs.stream().filter(t -> t.name().equals(INPUT)).findFirst().orElse(null);
    if (given == null) {
      return Optional.empty();
    }
    if (inputs.size() != 1) {
      throw ApiException.badRequest(
          "input '"
              + INPUT
              + "' carries the texts; send it alone, not with "
              + inputs.stream().map(Tensor::name).filter(n -> !n.equals(INPUT)).toList());
    }
    if (given.datatype() != Datatype.BYTES) {
      throw ApiException.badRequest(
          "input '"
              + INPUT
              + "' must be BYTES (one UTF-8 text per element), not "
              + given.datatype());
    }
    long[] shape = given.shape();
    if (shape.length == 0 || shape.length > 2 || (shape.length == 2 && shape[1] != 1)) {
      throw ApiException.badRequest(
          "input '"
              + INPUT
              + "' must have shape [n] or [n, 1] (one text per row), not "
              + Arrays.toString(shape));
    }
    if (given.elementCount() == 0) {
      throw ApiException.badRequest("input '" + INPUT + "' holds no text");
    }
    List<String> texts = new ArrayList<>();
    byte[][] elements = given.strings();
    for (int i = 0; i < elements.length; i++) {
      texts.add(utf8(elements[i], i));
    }
    return Optional.of(texts);
  }

  private static String utf8(byte[] bytes, int index) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw ApiException.badRequest("text " + index + " is not valid UTF-8: " + e.getMessage());
    }
  }
}
