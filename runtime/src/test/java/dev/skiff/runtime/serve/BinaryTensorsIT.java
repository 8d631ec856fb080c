package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.runtime.image.Answer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The binary tensor data extension on a real server, with bodies built by hand: a JSON part whose
 * length is in {@code Inference-Header-Content-Length}, then little-endian tensor bytes.
 */
class BinaryTensorsIT {
  @AutoClose static final TestServer server = TestServer.start(TestServer.TEST_MODELS);
  static final TestHttp http = server.http();
  static final HttpClient CLIENT = HttpClient.newHttpClient();

  /** A binary-extension request body and the raw answer. */
  private static HttpResponse<byte[]> postBinary(String path, String json, byte[]... tensors)
      throws IOException, InterruptedException {
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(header);
    for (byte[] t : tensors) {
      body.writeBytes(t);
    }
    return postRaw(path, body.toByteArray(), Integer.toString(header.length));
  }

  private static HttpResponse<byte[]> postRaw(String path, byte[] body, String headerLength)
      throws IOException, InterruptedException {
    HttpRequest request =
        http.builder(path, "Inference-Header-Content-Length", headerLength)
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The response's JSON part and each binary output's bytes, by output name. */
  private record Answer(JsonNode json, Map<String, byte[]> binary) {
    static Answer of(HttpResponse<byte[]> response) throws IOException {
      byte[] body = response.body();
      int jsonLength =
          response
              .headers()
              .firstValue("Inference-Header-Content-Length")
              .map(Integer::parseInt)
              .orElse(body.length);
      JsonNode json = TestHttp.MAPPER.readTree(Arrays.copyOf(body, jsonLength));
      Map<String, byte[]> binary = new HashMap<>();
      int next = jsonLength;
      for (JsonNode output : json.path("outputs")) {
        JsonNode size = output.path("parameters").path("binary_data_size");
        if (size.isNumber()) {
          binary.put(
              output.get("name").asText(), Arrays.copyOfRange(body, next, next + size.asInt()));
          next += size.asInt();
        }
      }
      assertThat(next).as("binary outputs fill the body").isEqualTo(body.length);
      return new Answer(json, binary);
    }

    JsonNode output(String name) {
      for (JsonNode output : json.get("outputs")) {
        if (output.get("name").asText().equals(name)) {
          return output;
        }
      }
      throw new AssertionError("no output " + name + " in " + json);
    }
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The bytes of a buffer made by {@link #le}, from position 0 to its capacity. */
  private static byte[] bytesOf(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.capacity()];
    buffer.duplicate().clear().get(bytes);
    return bytes;
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

  private static String binaryInput(String name, String datatype, int size) {
    return "{\"name\":\""
        + name
        + "\",\"datatype\":\""
        + datatype
        + "\",\"shape\":[2,2],\"parameters\":{\"binary_data_size\":"
        + size
        + "}}";
  }

  private static String jsonInput(String name, String datatype, String data) {
    return "{\"name\":\""
        + name
        + "\",\"datatype\":\""
        + datatype
        + "\",\"shape\":[2,2],\"data\":"
        + data
        + "}";
  }

  @Test
  void serverMetadataAdvertisesTheExtension() {
    assertThat(TestHttp.json(http.get("/v2")).get("extensions").toString())
        .contains("\"binary_tensor_data\"");
  }

  @Test
  void everyDatatypeRoundTripsAsBinaryThroughTheModel() throws Exception {
    byte[] fp32 = le(16).putFloat(1.5f).putFloat(-2.25f).putFloat(3e-5f).putFloat(1e30f).array();
    byte[] int64 =
        le(32).putLong(Long.MIN_VALUE).putLong(Long.MAX_VALUE).putLong(0).putLong(-1).array();
    byte[] bool = {1, 0, 0, 1};
    byte[] bytes = strings("a", "", "héllo", "x y");
    ByteBuffer fp16 = le(8);
    for (float f : new float[] {1.5f, -2f, 0f, 65504f}) {
      fp16.putShort(Float.floatToFloat16(f));
    }
    String json =
        "{\"id\":\"bin-1\",\"parameters\":{\"binary_data_output\":true},\"inputs\":["
            + String.join(
                ",",
                binaryInput("in_fp32", "FP32", 16),
                jsonInput("in_uint8", "UINT8", "[0,255,7,128]"),
                binaryInput("in_int64", "INT64", 32),
                binaryInput("in_bool", "BOOL", 4),
                jsonInput("in_int8", "INT8", "[-128,127,0,-1]"),
                binaryInput("in_bytes", "BYTES", bytes.length),
                jsonInput("in_int16", "INT16", "[-32768,32767,0,-1]"),
                jsonInput("in_int32", "INT32", "[-2147483648,2147483647,0,-1]"),
                binaryInput("in_fp16", "FP16", 8),
                jsonInput("in_fp64", "FP64", "[1.5,-2.25,1.0E-300,1.0E300]"))
            + "]}";

    HttpResponse<byte[]> response =
        postBinary("/v2/models/datatypes/infer", json, fp32, int64, bool, bytes, bytesOf(fp16));

    assertThat(response.statusCode())
        .as(new String(response.body(), StandardCharsets.UTF_8))
        .isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    Answer answer = Answer.of(response);
    assertThat(answer.json().get("id").asText()).isEqualTo("bin-1");
    assertThat(answer.binary()).hasSize(10);
    assertThat(answer.binary().get("out_fp32")).isEqualTo(fp32);
    assertThat(answer.binary().get("out_int64")).isEqualTo(int64);
    assertThat(answer.binary().get("out_bool")).isEqualTo(bool);
    assertThat(answer.binary().get("out_bytes")).isEqualTo(bytes);
    assertThat(answer.binary().get("out_fp16")).isEqualTo(bytesOf(fp16));
    assertThat(answer.binary().get("out_uint8")).containsExactly(0, 255, 7, 128);
    assertThat(answer.binary().get("out_int8")).containsExactly(-128, 127, 0, -1);
    ByteBuffer int32 =
        ByteBuffer.wrap(answer.binary().get("out_int32")).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(int32.getInt(0)).isEqualTo(Integer.MIN_VALUE);
    assertThat(int32.getInt(12)).isEqualTo(-1);
    ByteBuffer fp64 =
        ByteBuffer.wrap(answer.binary().get("out_fp64")).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(fp64.getDouble(24)).isEqualTo(1e300);
    JsonNode out = answer.output("out_fp32");
    assertThat(out.get("datatype").asText()).isEqualTo("FP32");
    assertThat(out.get("shape").toString()).isEqualTo("[2,2]");
    assertThat(out.has("data")).isFalse();
  }

  @Test
  void eachOutputChoosesBinaryOrJson() throws Exception {
    byte[] a = le(12).putFloat(1).putFloat(2).putFloat(3).array();
    byte[] b = le(12).putFloat(10).putFloat(20).putFloat(30).array();
    String json =
        "{\"inputs\":["
            + "{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,3],\"parameters\":{\"binary_data_size\":12}},"
            + "{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[1,3],\"parameters\":{\"binary_data_size\":12}}],"
            + "\"outputs\":[{\"name\":\"sum\",\"parameters\":{\"binary_data\":true}},"
            + "{\"name\":\"product\",\"parameters\":{\"binary_data\":false}}]}";
    Answer answer = Answer.of(postBinary("/v2/models/add/infer", json, a, b));
    ByteBuffer sum = ByteBuffer.wrap(answer.binary().get("sum")).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(new float[] {sum.getFloat(), sum.getFloat(), sum.getFloat()})
        .containsExactly(11f, 22f, 33f);
    assertThat(answer.output("product").get("data").toString()).isEqualTo("[10.0,40.0,90.0]");
    assertThat(answer.binary()).containsOnlyKeys("sum");
  }

  @Test
  void binaryInputsWithJsonOutputsAnswerPlainJson() throws Exception {
    byte[] a = le(12).putFloat(1).putFloat(2).putFloat(3).array();
    String json =
        "{\"inputs\":["
            + "{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,3],\"parameters\":{\"binary_data_size\":12}},"
            + "{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,1,1]}]}";
    HttpResponse<byte[]> response = postBinary("/v2/models/add/infer", json, a);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.headers().firstValue("Inference-Header-Content-Length")).isEmpty();
    JsonNode body = TestHttp.MAPPER.readTree(response.body());
    assertThat(body.get("outputs").get(0).get("data").toString()).isEqualTo("[2.0,3.0,4.0]");
  }

  @Test
  void batchedModelTakesBinaryTensorsToo() throws Exception {
    ByteBuffer input = le(2 * 16 * 4);
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < 32; i++) {
      float v = (float) Math.cos(i);
      input.putFloat(v);
      data.append(i == 0 ? "" : ",").append(v);
    }
    String binaryJson =
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[2,16],"
            + "\"parameters\":{\"binary_data_size\":128}}],"
            + "\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":true}}]}";
    Answer answer =
        Answer.of(postBinary("/v2/models/mlp-batched/infer", binaryJson, bytesOf(input)));
    JsonNode reference =
        TestHttp.json(
                http.post(
                    "/v2/models/mlp/infer",
                    "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[2,16],"
                        + "\"data\":["
                        + data
                        + "]}]}"))
            .get("outputs")
            .get(0)
            .get("data");
    ByteBuffer output =
        ByteBuffer.wrap(answer.binary().get("output")).order(ByteOrder.LITTLE_ENDIAN);
    for (int k = 0; k < 8; k++) {
      assertThat((double) output.getFloat()).isCloseTo(reference.get(k).asDouble(), within(1e-5));
    }
  }

  @Test
  void badBinaryRequestsAre400WithAClearMessage() throws Exception {
    byte[] twelve = new byte[12];
    String json =
        "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,3],\"parameters\":{\"binary_data_size\":12}},"
            + "{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,1,1]}]}";
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    byte[] body = Arrays.copyOf(header, header.length + 12);

    assertError(
        postRaw("/v2/models/add/infer", body, Integer.toString(body.length + 1)),
        "Inference-Header-Content-Length is " + (body.length + 1) + " but the body has only");
    assertError(
        postRaw("/v2/models/add/infer", body, "twelve"),
        "Inference-Header-Content-Length must be a non-negative integer");
    assertError(
        postBinary("/v2/models/add/infer", json, twelve, new byte[4]),
        "the body has 16 bytes after the JSON part but the inputs' binary_data_size add up to 12");
    assertError(
        postBinary(
            "/v2/models/add/infer",
            json.replace("\"binary_data_size\":12", "\"binary_data_size\":8"),
            new byte[8]),
        "input 'a': binary_data_size is 8 bytes but FP32 [1, 3] needs 12");
    assertError(
        postBinary("/v2/models/add/infer", json.replace("12}", "-12}"), twelve),
        "input 'a': binary_data_size must be a non-negative integer, found -12");
    HttpResponse<String> noHeader = http.post("/v2/models/add/infer", json);
    assertThat(noHeader.statusCode()).isEqualTo(400);
    assertThat(noHeader.body()).contains("has no Inference-Header-Content-Length header");
  }

  @Test
  void theBodyLimitHoldsForBinaryBodies() throws Exception {
    try (ModelServer small =
        ModelServer.start(
            ServeOptions.builder(Path.of("src/test/resources/models"))
                .port(0)
                .inferenceThreads(1)
                .queueSize(8)
                .maxPayloadBytes(1024)
                .build())) {
      small.awaitModelsLoaded(Duration.ofSeconds(60));
      String json =
          "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[32,16],"
              + "\"parameters\":{\"binary_data_size\":2048}}]}";
      byte[] header = json.getBytes(StandardCharsets.UTF_8);
      HttpRequest request =
          new TestHttp(small.port())
              .builder(
                  "/v2/models/mlp/infer",
                  "Inference-Header-Content-Length",
                  Integer.toString(header.length))
              .POST(
                  HttpRequest.BodyPublishers.ofByteArray(
                      Arrays.copyOf(header, header.length + 2048)))
              .build();
      HttpResponse<byte[]> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
      assertThat(response.statusCode()).isEqualTo(413);
    }
  }

  private static void assertError(HttpResponse<byte[]> response, String message)
      throws IOException {
    assertThat(response.statusCode())
        .as(new String(response.body(), StandardCharsets.UTF_8))
        .isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(TestHttp.MAPPER.readTree(response.body()).get("error").asText()).contains(message);
  }
}
