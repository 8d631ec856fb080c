package dev.skiff.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.grpc.v2.InferParameter;
import dev.skiff.runtime.grpc.v2.ModelInferRequest;
import dev.skiff.runtime.grpc.v2.ModelInferResponse;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.web.ApiException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrpcV2CodecTest {

  private static ModelInferRequest.Builder request() {
    return ModelInferRequest.newBuilder().setModelName("m");
  }

  private static ModelInferRequest.InferInputTensor.Builder input(String datatype, long... shape) {
    ModelInferRequest.InferInputTensor.Builder input =
        ModelInferRequest.InferInputTensor.newBuilder().setName("x").setDatatype(datatype);
    for (long dim : shape) {
      input.addShape(dim);
    }
    return input;
  }

  @Test
  void typedContentsOfEachFieldBecomeNativeBuffers() {
    ModelInferRequest.InferInputTensor.Builder int8 = input("INT8", 3);
    int8.getContentsBuilder().addAllIntContents(List.of(-128, 0, 127));
    ModelInferRequest.InferInputTensor.Builder uint16 = input("UINT16", 2).setName("y");
    uint16.getContentsBuilder().addAllUintContents(List.of(0, 65535));
    ModelInferRequest.InferInputTensor.Builder bools = input("BOOL", 2).setName("z");
    bools.getContentsBuilder().addAllBoolContents(List.of(true, false));
    ModelInferRequest.InferInputTensor.Builder text = input("BYTES", 1).setName("t");
    text.getContentsBuilder().addBytesContents(ByteString.copyFromUtf8("héllo"));

    InferenceRequest decoded =
        GrpcV2Codec.readRequest(
            request()
                .setId("r1")
                .addInputs(int8)
                .addInputs(uint16)
                .addInputs(bools)
                .addInputs(text)
                .putParameters("p", InferParameter.newBuilder().setInt64Param(7).build())
                .addOutputs(
                    ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("out"))
                .build());

    assertThat(decoded.id()).isEqualTo("r1");
    assertThat(decoded.parameters().get("p").asLong()).isEqualTo(7);
    assertThat(decoded.outputs()).extracting(RequestedOutput::name).containsExactly("out");
    Tensor x = decoded.inputs().get(0);
    assertThat(x.datatype()).isEqualTo(Datatype.INT8);
    assertThat(new byte[] {x.data().get(0), x.data().get(1), x.data().get(2)})
        .containsExactly(-128, 0, 127);
    assertThat(Short.toUnsignedInt(decoded.inputs().get(1).data().getShort(2))).isEqualTo(65535);
    assertThat(decoded.inputs().get(2).data().get(0)).isEqualTo((byte) 1);
    assertThat(new String(decoded.inputs().get(3).strings()[0], StandardCharsets.UTF_8))
        .isEqualTo("héllo");
  }

  @Test
  void typedValuesOutOfTheDatatypesRangeAreRefused() {
    ModelInferRequest.InferInputTensor.Builder int8 = input("INT8", 1);
    int8.getContentsBuilder().addIntContents(128);
    assertThatThrownBy(() -> GrpcV2Codec.readRequest(request().addInputs(int8).build()))
        .isInstanceOf(ApiException.class)
        .hasMessage("input 'x': value 128 at index 0 is out of range for INT8");
  }

  @Test
  void fp16HasNoTypedFieldAndGoesRaw() {
    ModelInferRequest.InferInputTensor.Builder half = input("FP16", 1);
    half.getContentsBuilder().addFp32Contents(1f);
    assertThatThrownBy(() -> GrpcV2Codec.readRequest(request().addInputs(half).build()))
        .hasMessageContaining("FP16 has no typed contents field")
        .extracting(e -> ((ApiException) e).status())
        .isEqualTo(400);

    ByteBuffer one = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
    one.putShort(0, Float.floatToFloat16(1.5f));
    InferenceRequest decoded =
        GrpcV2Codec.readRequest(
            request()
                .addInputs(input("FP16", 1))
                .addRawInputContents(ByteString.copyFrom(one.array()))
                .build());
    assertThat(Float.float16ToFloat(decoded.inputs().get(0).data().getShort(0))).isEqualTo(1.5f);
  }

  @Test
  void rawBytesElementsAreLengthPrefixedAndChecked() {
    ByteBuffer raw = ByteBuffer.allocate(4 + 2).order(ByteOrder.LITTLE_ENDIAN);
    raw.putInt(9).put((byte) 'o').put((byte) 'k');
    assertThatThrownBy(
            () ->
                GrpcV2Codec.readRequest(
                    request()
                        .addInputs(input("BYTES", 1))
                        .addRawInputContents(ByteString.copyFrom(raw.array()))
                        .build()))
        .hasMessage(
            "input 'x': BYTES element 0 claims 9 bytes but only 2 remain within"
                + " raw_input_contents[0] 6");
  }

  @Test
  void inputWithoutAnyContentsIsNamed() {
    assertThatThrownBy(
            () -> GrpcV2Codec.readRequest(request().addInputs(input("FP32", 1, 4)).build()))
        .hasMessage("input 'x' has no 'contents' and the request has no raw_input_contents");
  }

  @Test
  void answersCarryEveryOutputRawLittleEndianInOrder() {
    ByteBuffer floats = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    floats.putFloat(1.25f).putFloat(-2f).flip();
    Tensor probabilities = Tensor.ofBuffer("p", Datatype.FP32, new long[] {1, 2}, floats);
    Tensor names =
        Tensor.ofStrings("n", new long[] {1}, new byte[][] {"ab".getBytes(StandardCharsets.UTF_8)});
    ModelInferResponse response =
        GrpcV2Codec.writeResponse(
            new InferenceResponse("m", "v1", "id-1", null, List.of(probabilities, names)));

    assertThat(response.getModelVersion()).isEqualTo("v1");
    assertThat(response.getId()).isEqualTo("id-1");
    assertThat(response.getOutputs(0).getShapeList()).containsExactly(1L, 2L);
    ByteBuffer first =
        response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    assertThat(first.getFloat(0)).isEqualTo(1.25f);
    assertThat(first.getFloat(4)).isEqualTo(-2f);
    assertThat(response.getRawOutputContents(1).toByteArray())
        .containsExactly(2, 0, 0, 0, 'a', 'b');
  }
}
