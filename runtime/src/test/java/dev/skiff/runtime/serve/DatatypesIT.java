package dev.skiff.runtime.serve;

import static dev.skiff.runtime.serve.TestHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Test-only models on a real server: every datatype, several inputs, ZipMap, a broken model. */
class DatatypesIT {
  @AutoClose static final TestServer server = TestServer.start(TestServer.TEST_MODELS);
  static final TestHttp http = server.http();

  @Test
  void everyFeedableDatatypeRoundTripsThroughTheModel() {
    String[][] cases = {
      {"bool", "BOOL", "[true,false,false,true]"},
      {"uint8", "UINT8", "[0,255,7,128]"},
      {"int8", "INT8", "[-128,127,0,-1]"},
      {"int16", "INT16", "[-32768,32767,0,-1]"},
      {"int32", "INT32", "[-2147483648,2147483647,0,-1]"},
      {"int64", "INT64", "[-9223372036854775808,9223372036854775807,0,-1]"},
      {"fp16", "FP16", "[1.5,-2.0,0.0,65504.0]"},
      {"fp32", "FP32", "[1.5,-2.25,3.0E-5,1.0E30]"},
      {"fp64", "FP64", "[1.5,-2.25,1.0E-300,1.0E300]"},
      {"bytes", "BYTES", "[\"a\",\"\",\"héllo\",\"x y\"]"},
    };
    StringBuilder inputs = new StringBuilder();
    for (String[] c : cases) {
      inputs
          .append(inputs.isEmpty() ? "" : ",")
          .append("{\"name\":\"in_")
          .append(c[0])
          .append("\",\"datatype\":\"")
          .append(c[1])
          .append("\",\"shape\":[2,2],\"data\":")
          .append(c[2])
          .append("}");
    }
    HttpResponse<String> response =
        http.post("/v2/models/datatypes/infer", "{\"inputs\":[" + inputs + "]}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    for (JsonNode output : json(response).get("outputs")) {
      String type = output.get("name").asText().substring(4);
      String[] c = Arrays.stream(cases).filter(x -> x[0].equals(type)).findFirst().orElseThrow();
      assertThat(output.get("datatype").asText()).isEqualTo(c[1]);
      assertThat(output.get("shape").toString()).isEqualTo("[2,2]");
      assertThat(output.get("data").toString()).as(type).isEqualTo(c[2]);
    }
  }

  @Test
  void unsignedOutputsAreWrittenAsUnsignedNumbers() {
    HttpResponse<String> response =
        http.post(
            "/v2/models/unsigned-outputs/infer",
            "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT64\",\"shape\":[1,2],\"data\":[-1,70000]}]}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode outputs = json(response).get("outputs");
    assertThat(outputs.toString())
        .contains("\"UINT16\",\"shape\":[1,2],\"data\":[65535,4464]")
        .contains("\"UINT32\",\"shape\":[1,2],\"data\":[4294967295,70000]")
        .contains("\"UINT64\",\"shape\":[1,2],\"data\":[18446744073709551615,70000]");
  }

  @Test
  void severalInputsAndOutputSelection() {
    String body =
        "{\"inputs\":[{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,2,3]},"
            + "{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[4,5,6]}],\"outputs\":[{\"name\":\"product\"}]}";
    JsonNode response = json(http.post("/v2/models/add/infer", body));
    assertThat(response.get("outputs")).hasSize(1);
    assertThat(response.at("/outputs/0/data").toString()).isEqualTo("[4.0,10.0,18.0]");
    HttpResponse<String> extra =
        http.post(
            "/v2/models/add/infer",
            body.replace(
                "]}],\"outputs",
                "]},{\"name\":\"c\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,1,1]}],\"outputs"));
    assertThat(extra.statusCode()).isEqualTo(400);
    assertThat(json(extra).get("error").asText())
        .isEqualTo("unknown input 'c'; the model expects [a, b]");
  }

  @Test
  void zipMapClassifierAnswersAProbabilityTensor() {
    String body =
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[2,4],\"data\":[5.1,3.5,1.4,0.2,6.3,3.3,6.0,2.5]}]}";
    JsonNode response = json(http.post("/v2/models/iris-zipmap/infer", body));
    assertThat(response.at("/outputs/0/data").toString()).isEqualTo("[0,2]");
    assertThat(response.at("/outputs/1/shape").toString()).isEqualTo("[2,3]");
    assertThat(response.at("/outputs/1/data/0").asDouble()).isGreaterThan(0.9);
  }

  @Test
  void zipMapClassifierAnswersAZeroRowBatchWithZeroRows() {
    String body =
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[0,4],\"data\":[]}]}";
    HttpResponse<String> response = http.post("/v2/models/iris-zipmap/infer", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json(response).at("/outputs/0/shape").toString()).isEqualTo("[0]");
    assertThat(json(response).at("/outputs/1/data").toString()).isEqualTo("[]");
  }

  @Test
  void aModelThatFailedToLoadKeepsTheServerUnreadyAndSaysWhy() {
    HttpResponse<String> ready = http.get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(json(ready).at("/models/mismatch/v1/error").asText())
        .contains("declared FP32 [-1, 5]");
    assertThat(http.get("/v2/health/ready").statusCode()).isEqualTo(400);
    assertThat(http.get("/v2/models/mismatch/ready").statusCode()).isEqualTo(400);
    assertThat(http.get("/v2/models/add/ready").statusCode()).isEqualTo(200);
    HttpResponse<String> infer =
        http.post(
            "/v2/models/mismatch/infer",
            "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,5],\"data\":[1,2,3,4,5]}]}");
    assertThat(infer.statusCode()).isEqualTo(503);
    assertThat(json(infer).get("error").asText())
        .contains("is not ready")
        .contains("model file has FP32 [-1, 4]");
  }
}
