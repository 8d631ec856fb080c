package dev.skiff.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.web.ApiException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The binary tensor data extension: requests with raw tensor bytes after the JSON, and answers. */
class BinaryTensorDataTest {
  private final V2JsonCodec codec = new V2JsonCodec(1024 * 1024);

  /** JSON part + raw bytes, read with the header set to the JSON's length. */
  private InferenceRequest read(String json, byte[]... binary) {
    byte[] body = body(json, binary);
    return codec.readRequest(body, Integer.toString(json.getBytes(StandardCharsets.UTF_8).length));
  }

  private static byte[] body(String json, byte[]... binary) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(json.getBytes(StandardCharsets.UTF_8));
    for (byte[] b : binary) {
      out.writeBytes(b);
    }
    return out.toByteArray();
  }

  private static String binaryInput(String name, String datatype, String shape, long size) {
    return "{\"name\":\""
        + name
        + "\",\"datatype\":\""
        + datatype
        + "\",\"shape\":"
        + shape
        + ",\"parameters\":{\"binary_data_size\":"
        + size
        + "}}";
  }

  private static String request(String... inputs) {
    return "{\"inputs\":[" + String.join(",", inputs) + "]}";
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static byte[] strings(String... values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String v : values) {
      byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
      out.writeBytes(le(4).putInt(bytes.length).array());
      out.writeBytes(bytes);
    }
    return out.toByteArray();
  }

  @Test
  void readsLittleEndianTensorsIntoDirectNativeBuffers() {
    byte[] fp32 = le(12).putFloat(1.5f).putFloat(-2f).putFloat(3e-5f).array();
    byte[] int64 = le(16).putLong(Long.MIN_VALUE).putLong(7).array();
    byte[] bool = {1, 0, 0, 1};
    byte[] fp16 =
        le(4).putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-2f)).array();
    InferenceRequest request =
        read(
            request(
                binaryInput("a", "FP32", "[1,3]", 12),
                binaryInput("b", "INT64", "[2]", 16),
                binaryInput("c", "BOOL", "[2,2]", 4),
                binaryInput("d", "FP16", "[2]", 4)),
            fp32,
            int64,
            bool,
            fp16);
    List<Tensor> inputs = request.inputs();
    assertThat(inputs).allSatisfy(t -> assertThat(t.rawData().isDirect()).isTrue());
    ByteBuffer a = inputs.get(0).data();
    assertThat(a.order()).isEqualTo(ByteOrder.nativeOrder());
    assertThat(new float[] {a.getFloat(0), a.getFloat(4), a.getFloat(8)})
        .containsExactly(1.5f, -2f, 3e-5f);
    assertThat(inputs.get(1).data().getLong(0)).isEqualTo(Long.MIN_VALUE);
    assertThat(inputs.get(1).data().getLong(8)).isEqualTo(7);
    assertThat(inputs.get(2).data().get(3)).isEqualTo((byte) 1);
    assertThat(Float.float16ToFloat(inputs.get(3).data().getShort(2))).isEqualTo(-2f);
  }

  @Test
  void readsBytesElementsAndMixesBinaryWithJsonInputs() {
    String json =
        request(
            "{\"name\":\"j\",\"datatype\":\"INT32\",\"shape\":[2],\"data\":[1,2]}",
            // parameters before name and shape: decoded once the object is complete
            "{\"parameters\":{\"binary_data_size\":19},\"name\":\"s\",\"shape\":[3],"
                + "\"datatype\":\"BYTES\"}");
    InferenceRequest request = read(json, strings("a", "", "héllo"));
    assertThat(request.inputs().get(0).data().getInt(4)).isEqualTo(2);
    byte[][] s = request.inputs().get(1).strings();
    assertThat(new String(s[2], StandardCharsets.UTF_8)).isEqualTo("héllo");
    assertThat(s[1]).isEmpty();
  }

  @Test
  void writesSelectedOutputsAsBytesAfterTheJson() throws Exception {
    ByteBuffer fp32 = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    fp32.putFloat(0.25f).putFloat(-1f).flip();
    Tensor probabilities = Tensor.ofBuffer("p", Datatype.FP32, new long[] {1, 2}, fp32);
    ByteBuffer int64 = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, 3);
    Tensor label = Tensor.ofBuffer("label", Datatype.INT64, new long[] {1}, int64);
    Tensor names =
        Tensor.ofStrings(
            "names",
            new long[] {2},
            new byte[][] {
              "x".getBytes(StandardCharsets.UTF_8), "yz".getBytes(StandardCharsets.UTF_8)
            });
    InferenceResponse response =
        new InferenceResponse("m", "v1", "id-1", null, List.of(probabilities, label, names));
    InferenceRequest request =
        read(
            "{\"inputs\":[{\"name\":\"i\",\"datatype\":\"INT32\",\"shape\":[1],\"data\":[1]}],"
                + "\"parameters\":{\"binary_data_output\":true},"
                + "\"outputs\":[{\"name\":\"p\"},{\"name\":\"label\","
                + "\"parameters\":{\"binary_data\":false}},{\"name\":\"names\"}]}");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int jsonLength = codec.writeResponse(response, BinaryOutputs.of(request), out);

    byte[] body = out.toByteArray();
    JsonNode json = new ObjectMapper().readTree(Arrays.copyOf(body, jsonLength));
    assertThat(json.get("outputs").get(0).get("parameters").get("binary_data_size").asInt())
        .isEqualTo(8);
    assertThat(json.get("outputs").get(0).has("data")).isFalse();
    assertThat(json.get("outputs").get(1).get("data").toString()).isEqualTo("[3]");
    assertThat(json.get("outputs").get(2).get("parameters").get("binary_data_size").asInt())
        .isEqualTo(4 + 1 + 4 + 2);
    ByteBuffer tail =
        ByteBuffer.wrap(body, jsonLength, body.length - jsonLength).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(tail.getFloat()).isEqualTo(0.25f);
    assertThat(tail.getFloat()).isEqualTo(-1f);
    assertThat(tail.getInt()).isEqualTo(1);
    assertThat((char) tail.get()).isEqualTo('x');
    assertThat(tail.getInt()).isEqualTo(2);
    assertThat(tail.remaining()).isEqualTo(2);
  }

  @Test
  void plainJsonResponseWhenNoOutputIsBinary() throws Exception {
    ByteBuffer int64 = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, 3);
    Tensor label = Tensor.ofBuffer("label", Datatype.INT64, new long[] {1}, int64);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int jsonLength =
        codec.writeResponse(
            new InferenceResponse("m", "v1", null, null, List.of(label)), BinaryOutputs.NONE, out);
    assertThat(jsonLength).isEqualTo(-1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"data\":[3]");
  }

  private void assertBad(String message, Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining(message);
  }

  @Test
  void refusesABadHeaderLength() {
    byte[] body = body(request(binaryInput("a", "FP32", "[1]", 4)), new byte[4]);
    assertBad(
        "Inference-Header-Content-Length is 500 but the body has only " + body.length + " bytes",
        () -> codec.readRequest(body, "500"));
    assertBad("must be a non-negative integer", () -> codec.readRequest(body, "-1"));
    assertBad("must be a non-negative integer", () -> codec.readRequest(body, "12.5"));
    assertBad("must be a non-negative integer", () -> codec.readRequest(body, "abc"));
    assertBad("must be a non-negative integer", () -> codec.readRequest(body, "99999999999"));
    assertBad("malformed JSON", () -> codec.readRequest(body, "10"));
  }

  @Test
  void refusesSizesThatDoNotAddUpToTheBody() {
    String json = request(binaryInput("a", "FP32", "[2]", 8));
    assertBad(
        "the body has 12 bytes after the JSON part but the inputs' binary_data_size add up to 8",
        () -> read(json, new byte[12]));
    assertBad(
        "input 'a': binary_data_size 8 is more than the 4 bytes left",
        () -> read(json, new byte[4]));
    assertBad(
        "binary_data_size add up to 0",
        () ->
            read(
                request("{\"name\":\"j\",\"datatype\":\"INT32\",\"shape\":[1],\"data\":[1]}"),
                new byte[3]));
  }

  @Test
  void refusesASizeThatDoesNotMatchTheShape() {
    assertBad(
        "input 'a': binary_data_size is 8 bytes but FP32 [1, 3] needs 12 (3 elements of 4 bytes)",
        () -> read(request(binaryInput("a", "FP32", "[1,3]", 8)), new byte[8]));
    assertBad(
        "input 'a': binary_data_size is 4 bytes but INT64 [1] needs 8",
        () -> read(request(binaryInput("a", "INT64", "[1]", 4)), new byte[4]));
    assertBad(
        "shape [4611686018427387904, 4] is too large",
        () -> read(request(binaryInput("a", "FP32", "[4611686018427387904,4]", 4)), new byte[4]));
  }

  @Test
  void refusesBadBinaryDataSizeValues() {
    for (String bad : new String[] {"-1", "1.5", "\"4\"", "null", "99999999999"}) {
      String json =
          request(
              "{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1],"
                  + "\"parameters\":{\"binary_data_size\":"
                  + bad
                  + "}}");
      assertBad(
          "input 'a': binary_data_size must be a non-negative integer, found " + bad,
          () -> read(json, new byte[4]));
    }
  }

  @Test
  void refusesBinaryWithoutTheHeaderAndBothDataAndBinary() {
    String json = request(binaryInput("a", "FP32", "[1]", 4));
    assertBad(
        "input 'a' has binary_data_size but the request has no Inference-Header-Content-Length",
        () -> codec.readRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))));
    assertBad(
        "input 'a' has both 'data' and binary_data_size",
        () ->
            read(
                request(
                    "{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1],"
                        + "\"parameters\":{\"binary_data_size\":4}}"),
                new byte[4]));
    assertBad(
        "input 'a': unknown datatype 'FLOAT'",
        () -> read(request(binaryInput("a", "FLOAT", "[1]", 4)), new byte[4]));
  }

  @Test
  void refusesMalformedBytesAndBoolElements() {
    assertBad(
        "input 's': BYTES element 1 claims 100 bytes but only 1 remain",
        () ->
            read(
                request(binaryInput("s", "BYTES", "[2]", 10)),
                body("", strings("a"), le(4).putInt(100).array(), new byte[1])));
    assertBad(
        "input 's': 2 bytes are left after its 1 BYTES elements",
        () -> read(request(binaryInput("s", "BYTES", "[1]", 7)), strings("a"), new byte[2]));
    assertBad(
        "input 's': binary_data_size 4 is too small for 2 BYTES elements",
        () -> read(request(binaryInput("s", "BYTES", "[2]", 4)), new byte[4]));
    assertBad(
        "input 's': BYTES element 1 has no room for its 4-byte length",
        () -> read(request(binaryInput("s", "BYTES", "[2]", 8)), strings("ab"), new byte[2]));
    assertBad(
        "input 's': BYTES element 0 claims 4294967295 bytes",
        () -> read(request(binaryInput("s", "BYTES", "[1]", 4)), le(4).putInt(-1).array()));
    assertBad(
        "input 'b': BOOL element 1 is the byte 7; binary BOOL elements must be 0 or 1",
        () -> read(request(binaryInput("b", "BOOL", "[2]", 2)), new byte[] {1, 7}));
  }

  @Test
  void refusesOutputFlagsThatAreNotBooleans() {
    InferenceRequest byRequest =
        read(
            "{\"inputs\":[{\"name\":\"i\",\"datatype\":\"INT32\",\"shape\":[1],\"data\":[1]}],"
                + "\"parameters\":{\"binary_data_output\":1}}");
    assertBad(
        "parameter 'binary_data_output' must be true or false, found 1",
        () -> {
          BinaryOutputs.of(byRequest);
        });
    InferenceRequest byOutput =
        read(
            "{\"inputs\":[{\"name\":\"i\",\"datatype\":\"INT32\",\"shape\":[1],\"data\":[1]}],"
                + "\"outputs\":[{\"name\":\"y\",\"parameters\":{\"binary_data\":\"yes\"}}]}");
    assertBad(
        "output 'y': parameter 'binary_data' must be true or false, found \"yes\"",
        () -> BinaryOutputs.of(byOutput));
  }
}
