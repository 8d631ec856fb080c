package dev.skiff.runtime.protocol;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.grpc.v2.InferParameter;
import dev.skiff.runtime.grpc.v2.InferTensorContents;
import dev.skiff.runtime.grpc.v2.ModelInferRequest;
import dev.skiff.runtime.grpc.v2.ModelInferResponse;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.web.ApiException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Converts the Open Inference Protocol's gRPC messages ({@code inference.ModelInferRequest} and
 * {@code ModelInferResponse}) to and from the protocol-independent {@link InferenceRequest} and
 * {@link InferenceResponse}, so gRPC requests take the same inference path as REST ones. Only the
 * wire form is checked here (names, datatypes, shapes against the element counts actually sent);
 * the model's contract is held by the inference service for both protocols alike. Messages name the
 * tensor and the problem in the words REST uses, with gRPC's field names.
 *
 * <p>Answers always carry {@code raw_output_contents}, as Triton's do: {@code tritonclient.grpc}
 * reads numeric outputs only from there, and the kserve SDK reads either.
 */
public final class GrpcV2Codec {
  private static final boolean NATIVE_IS_LITTLE_ENDIAN =
      ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  private GrpcV2Codec() {}

  /**
   * Decodes a request; every problem becomes a 400 that names the field or tensor.
   *
   * @throws ApiException 400 for a malformed input
   */
  public static InferenceRequest readRequest(ModelInferRequest request) {
    int count = request.getInputsCount();
    if (count == 0) {
      throw ApiException.badRequest("'inputs' is empty");
    }
    int rawCount = request.getRawInputContentsCount();
    if (rawCount != 0 && rawCount != count) {
      throw ApiException.badRequest(
          "raw_input_contents has "
              + rawCount
              + " entries but the request has "
              + count
              + " inputs; send raw contents for every input, in input order, or for none");
    }
    List<Tensor> inputs = new ArrayList<>(count);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < count; i++) {
      ModelInferRequest.InferInputTensor input = request.getInputs(i);
      Tensor tensor =
          rawCount == 0 ? readTyped(input, i) : readRaw(input, i, request.getRawInputContents(i));
      if (!names.add(tensor.name())) {
        throw ApiException.badRequest("input '" + tensor.name() + "' appears more than once");
      }
      inputs.add(tensor);
    }
    List<RequestedOutput> outputs = new ArrayList<>(request.getOutputsCount());
    Set<String> outputNames = new HashSet<>();
    for (int i = 0; i < request.getOutputsCount(); i++) {
      ModelInferRequest.InferRequestedOutputTensor output = request.getOutputs(i);
      if (output.getName().isEmpty()) {
        throw ApiException.badRequest("outputs[" + i + "] has no 'name'");
      }
      if (!outputNames.add(output.getName())) {
        throw ApiException.badRequest(
            "output '" + output.getName() + "' is requested more than once");
      }
      outputs.add(new RequestedOutput(output.getName(), parameters(output.getParametersMap())));
    }
    String id = request.getId().isEmpty() ? null : request.getId();
    return new InferenceRequest(id, parameters(request.getParametersMap()), inputs, outputs);
  }

  private static Tensor readRaw(ModelInferRequest.InferInputTensor input, int i, ByteString raw) {
    String name = name(input, i);
    Datatype datatype = datatype(name, input.getDatatype());
    long[] shape = shape(name, input);
    if (input.hasContents()) {
      throw ApiException.badRequest(
          "input '"
              + name
              + "' has both 'contents' and raw_input_contents["
              + i
              + "]; send one of them");
    }
    byte[] bytes = raw.toByteArray();
    return BinaryTensorData.readInput(
        name, datatype, shape, bytes, 0, bytes.length, "raw_input_contents[" + i + "]");
  }

  private static Tensor readTyped(ModelInferRequest.InferInputTensor input, int i) {
    String name = name(input, i);
    Datatype datatype = datatype(name, input.getDatatype());
    long[] shape = shape(name, input);
    if (!input.hasContents()) {
      throw ApiException.badRequest(
          "input '" + name + "' has no 'contents' and the request has no raw_input_contents");
    }
    long expected;
    try {
      expected = Tensor.elementCount(shape);
    } catch (ArithmeticException e) {
      throw ApiException.badRequest(
          "input '" + name + "': shape " + Arrays.toString(shape) + " is too large");
    }
    InferTensorContents contents = input.getContents();
    String field = typedField(datatype, name);
    String filled = otherFilledField(contents, field);
    if (filled != null) {
      throw ApiException.badRequest(
          "input '"
              + name
              + "': "
              + datatype
              + " elements go in contents."
              + field
              + ", but the request filled contents."
              + filled);
    }
    int given = typedCount(contents, datatype);
    if (given != expected) {
      throw ApiException.badRequest(
          "input '"
              + name
              + "': shape "
              + Arrays.toString(shape)
              + " needs "
              + expected
              + " values, data has "
              + given);
    }
    if (datatype == Datatype.BYTES) {
      byte[][] strings = new byte[given][];
      for (int k = 0; k < given; k++) {
        strings[k] = contents.getBytesContents(k).toByteArray();
      }
      return Tensor.ofStrings(name, shape, strings);
    }
    ByteBuffer buffer =
        ByteBuffer.allocateDirect(given * datatype.byteSize()).order(ByteOrder.nativeOrder());
    for (int k = 0; k < given; k++) {
      switch (datatype) {
        case BOOL -> buffer.put((byte) (contents.getBoolContents(k) ? 1 : 0));
        case INT8 ->
            buffer.put((byte) ranged(name, datatype, k, contents.getIntContents(k), -128, 127));
        case INT16 ->
            buffer.putShort(
                (short)
                    ranged(
                        name,
                        datatype,
                        k,
                        contents.getIntContents(k),
                        Short.MIN_VALUE,
                        Short.MAX_VALUE));
        case INT32 -> buffer.putInt(contents.getIntContents(k));
        case INT64 -> buffer.putLong(contents.getInt64Contents(k));
        case UINT8 ->
            buffer.put(
                (byte)
                    ranged(
                        name,
                        datatype,
                        k,
                        Integer.toUnsignedLong(contents.getUintContents(k)),
                        0,
                        0xFF));
        case UINT16 ->
            buffer.putShort(
                (short)
                    ranged(
                        name,
                        datatype,
                        k,
                        Integer.toUnsignedLong(contents.getUintContents(k)),
                        0,
                        0xFFFF));
        case UINT32 -> buffer.putInt(contents.getUintContents(k));
        case UINT64 -> buffer.putLong(contents.getUint64Contents(k));
        case FP32 -> buffer.putFloat(contents.getFp32Contents(k));
        case FP64 -> buffer.putDouble(contents.getFp64Contents(k));
        case FP16, BYTES -> throw new IllegalStateException("handled above: " + datatype);
      }
    }
    buffer.flip();
    return Tensor.ofBuffer(name, datatype, shape, buffer);
  }

  private static long ranged(
      String name, Datatype datatype, int index, long value, long min, long max) {
    if (value < min || value > max) {
      throw ApiException.badRequest(
          "input '"
              + name
              + "': value "
              + value
              + " at index "
              + index
              + " is out of range for "
              + datatype);
    }
    return value;
  }

  /** The {@code InferTensorContents} field that carries {@code datatype}'s elements. */
  private static String typedField(Datatype datatype, String name) {
    return switch (datatype) {
      case BOOL -> "bool_contents";
      case INT8, INT16, INT32 -> "int_contents";
      case INT64 -> "int64_contents";
      case UINT8, UINT16, UINT32 -> "uint_contents";
      case UINT64 -> "uint64_contents";
      case FP32 -> "fp32_contents";
      case FP64 -> "fp64_contents";
      case BYTES -> "bytes_contents";
      case FP16 ->
          throw ApiException.badRequest(
              "input '"
                  + name
                  + "': FP16 has no typed contents field in the protocol; send it in"
                  + " raw_input_contents");
    };
  }

  /** A filled contents field other than {@code field}, or null. */
  private static String otherFilledField(InferTensorContents c, String field) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("bool_contents", c.getBoolContentsCount());
    counts.put("int_contents", c.getIntContentsCount());
    counts.put("int64_contents", c.getInt64ContentsCount());
    counts.put("uint_contents", c.getUintContentsCount());
    counts.put("uint64_contents", c.getUint64ContentsCount());
    counts.put("fp32_contents", c.getFp32ContentsCount());
    counts.put("fp64_contents", c.getFp64ContentsCount());
    counts.put("bytes_contents", c.getBytesContentsCount());
    for (Map.Entry<String, Integer> entry : counts.entrySet()) {
      if (entry.getValue() > 0 && !entry.getKey().equals(field)) {
        return entry.getKey();
      }
    }
    return null;
  }

  private static int typedCount(InferTensorContents c, Datatype datatype) {
    return switch (datatype) {
      case BOOL -> c.getBoolContentsCount();
      case INT8, INT16, INT32 -> c.getIntContentsCount();
      case INT64 -> c.getInt64ContentsCount();
      case UINT8, UINT16, UINT32 -> c.getUintContentsCount();
      case UINT64 -> c.getUint64ContentsCount();
      case FP32 -> c.getFp32ContentsCount();
      case FP64 -> c.getFp64ContentsCount();
      case BYTES -> c.getBytesContentsCount();
      case FP16 -> 0;
    };
  }

  private static String name(ModelInferRequest.InferInputTensor input, int i) {
    if (input.getName().isEmpty()) {
      throw ApiException.badRequest("inputs[" + i + "] has no 'name'");
    }
    return input.getName();
  }

  private static Datatype datatype(String name, String datatypeName) {
    if (datatypeName.isEmpty()) {
      throw ApiException.badRequest("input '" + name + "' has no 'datatype'");
    }
    return Datatype.fromName(datatypeName)
        .orElseThrow(
            () ->
                ApiException.badRequest(
                    "input '" + name + "': unknown datatype '" + datatypeName + "'"));
  }

  private static long[] shape(String name, ModelInferRequest.InferInputTensor input) {
    long[] shape = new long[input.getShapeCount()];
    for (int k = 0; k < shape.length; k++) {
      long dim = input.getShape(k);
      if (dim < 0) {
        throw ApiException.badRequest(
            "input '" + name + "': 'shape' must hold non-negative integers, found " + dim);
      }
      shape[k] = dim;
    }
    return shape;
  }

  /** Protocol parameters as the JSON object the protocol-independent request carries. */
  private static ObjectNode parameters(Map<String, InferParameter> parameters) {
    if (parameters.isEmpty()) {
      return null;
    }
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    parameters.forEach(
        (key, value) -> {
          switch (value.getParameterChoiceCase()) {
            case BOOL_PARAM -> node.put(key, value.getBoolParam());
            case INT64_PARAM -> node.put(key, value.getInt64Param());
            case STRING_PARAM -> node.put(key, value.getStringParam());
            case DOUBLE_PARAM -> node.put(key, value.getDoubleParam());
            case UINT64_PARAM -> node.put(key, Long.toUnsignedString(value.getUint64Param()));
            case PARAMETERCHOICE_NOT_SET -> node.putNull(key);
          }
        });
    return node;
  }

  /** Encodes an answer: each output's name, datatype and shape, its elements raw, in order. */
  public static ModelInferResponse writeResponse(InferenceResponse response) {
    ModelInferResponse.Builder builder =
        ModelInferResponse.newBuilder().setModelName(response.modelName());
    if (response.modelVersion() != null) {
      builder.setModelVersion(response.modelVersion());
    }
    if (response.id() != null) {
      builder.setId(response.id());
    }
    for (Tensor tensor : response.outputs()) {
      ModelInferResponse.InferOutputTensor.Builder output =
          builder.addOutputsBuilder().setName(tensor.name()).setDatatype(tensor.datatype().name());
      for (long dim : tensor.shape()) {
        output.addShape(dim);
      }
      builder.addRawOutputContents(raw(tensor));
    }
    return builder.build();
  }

  /** A tensor's elements in the protocol's little-endian layout. */
  private static ByteString raw(Tensor tensor) {
    if (tensor.datatype() != Datatype.BYTES
        && (NATIVE_IS_LITTLE_ENDIAN || tensor.datatype().byteSize() == 1)) {
      return ByteString.copyFrom(tensor.data()); // native order is the wire's: one copy
    }
    ByteString.Output out = ByteString.newOutput((int) BinaryTensorData.byteSize(tensor));
    try {
      BinaryTensorData.write(tensor, out);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return out.toByteString();
  }
}
