package dev.skiff.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.web.ApiException;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Triton's classification extension on a decoded request and a model's answer. */
class ClassificationTest {
  private final V2JsonCodec codec = new V2JsonCodec(1024 * 1024);

  private static Tensor scores(long[] shape, float... values) {
    ByteBuffer data = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.nativeOrder());
    for (float v : values) {
      data.putFloat(v);
    }
    return Tensor.ofBuffer("probabilities", Datatype.FP32, shape, data.flip());
  }

  private static List<String> texts(Tensor tensor) {
    return Arrays.stream(tensor.strings()).map(s -> new String(s, StandardCharsets.UTF_8)).toList();
  }

  @Test
  void topClassesOfEachRowBestFirstWithLabelsWhereThereAreSome() {
    Tensor classes =
        Classification.classify(
            scores(new long[] {2, 3}, 0.1f, 0.7f, 0.2f, 0.5f, 0.2f, 0.3f), 2, List.of("a", "b"));
    assertThat(classes.datatype()).isEqualTo(Datatype.BYTES);
    assertThat(classes.shape()).containsExactly(2, 2);
    assertThat(texts(classes))
        .containsExactly("0.700000:1:b", "0.200000:2", "0.500000:0:a", "0.300000:2");
  }

  @Test
  void moreClassesThanTheModelHasGivesEveryClass() {
    Tensor classes = Classification.classify(scores(new long[] {3}, 1f, 3f, 2f), 10, List.of());
    assertThat(classes.shape()).containsExactly(3);
    assertThat(texts(classes)).containsExactly("3.000000:1", "2.000000:2", "1.000000:0");
  }

  @Test
  void requestedThroughTheOutputParameterAndAppliedToThatOutputOnly() {
    InferenceRequest request =
        codec.readRequest(
            new ByteArrayInputStream(
                """
            {"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1]}],
             "outputs":[{"name":"probabilities","parameters":{"classification":1}},
                        {"name":"other"}]}"""
                    .getBytes(StandardCharsets.UTF_8)));
    Classification classification = Classification.of(request);
    Tensor other = scores(new long[] {1}, 5f).withName("other");
    InferenceResponse response =
        classification.apply(
            new InferenceResponse(
                "m", "v1", "id", null, List.of(scores(new long[] {1, 2}, 0.4f, 0.6f), other)),
            List.of("no", "yes"));
    assertThat(texts(response.outputs().get(0))).containsExactly("0.600000:1:yes");
    assertThat(response.outputs().get(1)).isSameAs(other);
  }

  @Test
  void aCountThatIsNotAPositiveIntegerIsA400() {
    InferenceRequest request =
        codec.readRequest(
            new ByteArrayInputStream(
                """
            {"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1]}],
             "outputs":[{"name":"probabilities","parameters":{"classification":0}}]}"""
                    .getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> Classification.of(request))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("must be a positive integer");
  }

  @Test
  void stringsCannotBeClassified() {
    Tensor strings = Tensor.ofStrings("s", new long[] {1}, new byte[][] {{'x'}});
    assertThatThrownBy(() -> Classification.classify(strings, 1, List.of()))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("needs a numeric output");
  }
}
