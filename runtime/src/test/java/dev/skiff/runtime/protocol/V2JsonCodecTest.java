package dev.skiff.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.web.ApiException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class V2JsonCodecTest {
  private final V2JsonCodec codec = new V2JsonCodec(1024 * 1024);

  private InferenceRequest read(String json) {
    return codec.readRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  private static String input(String datatype, String shape, String data) {
    return "{\"inputs\":[{\"name\":\"x\",\"datatype\":\""
        + datatype
        + "\",\"shape\":"
        + shape
        + ",\"data\":"
        + data
        + "}]}";
  }

  @Test
  void readsFlatAndNestedDataIntoTheSameDirectBuffer() {
    Tensor flat = read(input("FP32", "[2,2]", "[1,2,3,4.5]")).inputs().get(0);
    Tensor nested = read(input("FP32", "[2,2]", "[[1,2],[3,4.5]]")).inputs().get(0);
    assertThat(flat.rawData().isDirect()).isTrue();
    assertThat(flat.data()).isEqualTo(nested.data());
    assertThat(flat.data().getFloat(12)).isEqualTo(4.5f);
    assertThat(flat.shape()).containsExactly(2, 2);
  }

  @Test
  void readsFieldsInAnyOrderAndKeepsIdParametersAndOutputs() {
    InferenceRequest request =
        read(
            "{\"outputs\":[{\"name\":\"y\"}],\"inputs\":[{\"data\":[1,2],\"shape\":[2],"
                + "\"datatype\":\"INT32\",\"name\":\"x\"}],\"id\":\"abc\",\"parameters\":{\"k\":1}}");
    assertThat(request.id()).isEqualTo("abc");
    assertThat(request.parameters().get("k").asInt()).isEqualTo(1);
    assertThat(request.outputs()).extracting(RequestedOutput::name).containsExactly("y");
    assertThat(request.inputs().get(0).data().getInt(4)).isEqualTo(2);
  }

  @Test
  void readsEveryDatatype() {
    assertThat(read(input("BOOL", "[2]", "[true,false]")).inputs().get(0).data().get(0))
        .isEqualTo((byte) 1);
    assertThat(read(input("UINT8", "[1]", "[255]")).inputs().get(0).data().get(0))
        .isEqualTo((byte) -1);
    assertThat(
            read(input("UINT64", "[1]", "[18446744073709551615]"))
                .inputs()
                .get(0)
                .data()
                .getLong(0))
        .isEqualTo(-1L);
    assertThat(
            read(input("INT64", "[1]", "[-9223372036854775808]")).inputs().get(0).data().getLong(0))
        .isEqualTo(Long.MIN_VALUE);
    assertThat(
            Float.float16ToFloat(
                read(input("FP16", "[1]", "[1.5]")).inputs().get(0).data().getShort(0)))
        .isEqualTo(1.5f);
    assertThat(read(input("FP64", "[1]", "[0.1]")).inputs().get(0).data().getDouble(0))
        .isEqualTo(0.1);
    assertThat(read(input("BYTES", "[2]", "[\"a\",\"é\"]")).inputs().get(0).strings()[1])
        .isEqualTo("é".getBytes(StandardCharsets.UTF_8));
    assertThat(read(input("FP32", "[1]", "[NaN]")).inputs().get(0).data().getFloat(0)).isNaN();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not json | { | malformed JSON at line 1",
        "not an object | [] | must be a JSON object",
        "no inputs | {} | has no 'inputs'",
        "empty inputs | {\"inputs\":[]} | 'inputs' is empty",
        "input not object | {\"inputs\":[1]} | inputs[0] must be an object",
        "no name | {\"inputs\":[{\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]} | inputs[0] has no 'name'",
        "no shape | {\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"data\":[1]}]} | input 'x' has no 'shape'",
        "no datatype | {\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"data\":[1]}]} | input 'x' has no 'datatype'",
        "no data | {\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1]}]} | input 'x' has no 'data'",
        "negative dim | {\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1],\"data\":[1]}]} | non-negative integers",
        "duplicate input | {\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]},{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]} | input 'x' appears more than once",
        "duplicate output | {\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}],\"outputs\":[{\"name\":\"y\"},{\"name\":\"y\"}]} | output 'y' is requested more than once",
        "duplicate key | {\"id\":\"a\",\"id\":\"b\",\"inputs\":[]} | Duplicate field 'id'",
        "trailing content | {\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]} {} | unexpected content",
      })
  void rejectsMalformedRequests(String description, String json, String message) {
    assertThatThrownBy(() -> read(json))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining(message)
        .extracting(e -> ((ApiException) e).status())
        .isEqualTo(400);
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "FP32 | [2] | [1,2,3] | shape [2] needs 2 values, data has 3",
        "FP32 | [3] | [1,2] | shape [3] needs 3 values, data has 2",
        "FP32 | [2] | [1,\"a\"] | FP32 data needs a number at index 1, found the string \"a\"",
        "FP32 | [1] | [null] | found null",
        "FP32 | [1] | [{}] | found an object",
        "FP32 | [1] | [1e300] | value 1e300 at index 0 is out of range for FP32",
        "INT32 | [1] | [NaN] | NaN at index 0 is not allowed for INT32",
        "INT32 | [1] | [1.5] | value 1.5 at index 0 is not an integer",
        "INT32 | [1] | [3000000000] | out of range for INT32",
        "UINT8 | [1] | [256] | out of range for UINT8",
        "UINT8 | [1] | [-1] | out of range for UINT8",
        "INT8 | [1] | [128] | out of range for INT8",
        "UINT64 | [1] | [-1] | out of range for UINT64",
        "INT64 | [1] | [9223372036854775808] | out of range for INT64",
        "BOOL | [1] | [1] | BOOL data needs true or false",
        "BYTES | [1] | [1] | BYTES data needs a string",
        "FOO | [1] | [1] | unknown datatype 'FOO'",
        "FP32 | [400000000,4000] | [1] | more than the limit",
        "FP32 | [9223372036854775807,9223372036854775807] | [1] | is too large",
      })
  void rejectsBadTensorDataNamingTheTensor(
      String datatype, String shape, String data, String message) {
    assertThatThrownBy(() -> read(input(datatype, shape, data)))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("'x'")
        .hasMessageContaining(message);
  }

  @Test
  void refusesDeeplyNestedJson() {
    String deep = "[".repeat(100) + "]".repeat(100);
    assertThatThrownBy(() -> read(input("FP32", "[1]", deep)))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("nesting depth");
  }

  @Test
  void writesFlatDataWithShapesAndUnsignedValues() throws Exception {
    ByteBuffer buffer = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
    buffer.putLong(-1L).putLong(7L).flip();
    Tensor unsigned = Tensor.ofBuffer("u", Datatype.UINT64, new long[] {2}, buffer);
    Tensor strings =
        Tensor.ofStrings("s", new long[] {1}, new byte[][] {"hi".getBytes(StandardCharsets.UTF_8)});
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    codec.writeResponse(
        new InferenceResponse("m", "v1", "id-1", null, List.of(unsigned, strings)), out);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"model_name\":\"m\",\"model_version\":\"v1\",\"id\":\"id-1\",\"outputs\":["
                + "{\"name\":\"u\",\"datatype\":\"UINT64\",\"shape\":[2],\"data\":[18446744073709551615,7]},"
                + "{\"name\":\"s\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"hi\"]}]}");
  }
}
