package dev.skiff.runtime.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.web.ApiException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads and writes the JSON form of Open Inference Protocol V2 requests and responses with
 * Jackson's streaming API, so tensor data goes from the socket into native buffers without a tree
 * of boxed numbers in between. Also the binary tensor data extension: a JSON part followed by raw
 * tensor bytes (see {@link BinaryTensorData}).
 */
public final class V2JsonCodec {
  /** Nesting deeper than this is refused (tensors of rank > 30 do not occur in practice). */
  public static final int MAX_NESTING_DEPTH = 32;

  private final JsonFactory factory;
  private final ObjectMapper mapper;
  private final long maxElements;

  /**
   * @param maxPayloadBytes the server's body limit; no tensor can have more elements than half of
   *     it (each JSON value takes at least a digit and a separator), which bounds what a claimed
   *     shape can make the server allocate
   */
  public V2JsonCodec(long maxPayloadBytes) {
    this.factory =
        JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Tensor data is mostly floats: the JDK's parser and printer dominated the JSON
            // profile.
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .streamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
            .build();
    this.mapper = new ObjectMapper(factory);
    this.maxElements = Math.max(1, maxPayloadBytes / 2);
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  /** The most elements one decoded tensor may claim (half the body limit). */
  public long maxElements() {
    return maxElements;
  }

  /** Decodes a V2 request body; every problem becomes a 400 that names the field or tensor. */
  public InferenceRequest readRequest(InputStream body) {
    try (JsonParser parser = factory.createParser(body)) {
      return readRequest(parser, null);
    } catch (ApiException e) {
      throw e;
    } catch (JsonProcessingException e) {
      throw malformed(e);
    } catch (IOException e) {
      throw ApiException.badRequest("could not read the request body: " + e.getMessage());
    }
  }

  /**
   * Decodes a request in the binary tensor data extension: the first {@code headerLength} bytes
   * (the {@value BinaryTensorData#HEADER} header's value) are JSON; inputs with {@code
   * "parameters": {"binary_data_size": n}} take the following bytes, in input order, and together
   * must use every byte of the body.
   */
  public InferenceRequest readRequest(byte[] body, String headerLength) {
    int jsonLength = BinaryTensorData.headerLength(headerLength, body.length);
    BinaryPart binary = new BinaryPart(body, jsonLength);
    try (JsonParser parser = factory.createParser(body, 0, jsonLength)) {
      InferenceRequest request = readRequest(parser, binary);
      binary.checkAllUsed();
      return request;
    } catch (ApiException e) {
      throw e;
    } catch (JsonProcessingException e) {
      throw malformed(e);
    } catch (IOException e) {
      throw ApiException.badRequest("could not read the request body: " + e.getMessage());
    }
  }

  /** A 400 naming where the JSON broke, without Jackson's internal source description. */
  static ApiException malformed(JsonProcessingException e) {
    String message =
        e.getOriginalMessage().replaceAll("\\s*\\(start marker at \\[Source.*?\\]\\)", "");
    var location = e.getLocation();
    String where =
        location == null || location.getLineNr() < 0
            ? ""
            : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    return ApiException.badRequest("malformed JSON" + where + ": " + message);
  }

  private InferenceRequest readRequest(JsonParser parser, BinaryPart binary) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      throw ApiException.badRequest("the request body must be a JSON object");
    }
    String id = null;
    ObjectNode parameters = null;
    List<Tensor> inputs = null;
    List<RequestedOutput> outputs = List.of();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (field) {
        case "id" -> id = readString(parser, value, "id");
        case "parameters" -> parameters = readObject(parser, value, "parameters");
        case "inputs" -> inputs = readInputs(parser, value, binary);
        case "outputs" -> outputs = readOutputs(parser, value);
        default -> parser.skipChildren();
      }
    }
    if (parser.nextToken() != null) {
      throw ApiException.badRequest("unexpected content after the request object");
    }
    if (inputs == null) {
      throw ApiException.badRequest("the request has no 'inputs'");
    }
    return new InferenceRequest(id, parameters, inputs, outputs);
  }

  private List<Tensor> readInputs(JsonParser parser, JsonToken token, BinaryPart binary)
      throws IOException {
    if (token != JsonToken.START_ARRAY) {
      throw ApiException.badRequest("'inputs' must be an array");
    }
    List<Tensor> inputs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      Tensor tensor = readInput(parser, token, inputs.size(), binary);
      if (!names.add(tensor.name())) {
        throw ApiException.badRequest("input '" + tensor.name() + "' appears more than once");
      }
      inputs.add(tensor);
    }
    if (inputs.isEmpty()) {
      throw ApiException.badRequest("'inputs' is empty");
    }
    return inputs;
  }

  private Tensor readInput(JsonParser parser, JsonToken token, int position, BinaryPart binary)
      throws IOException {
    if (token != JsonToken.START_OBJECT) {
      throw ApiException.badRequest("inputs[" + position + "] must be an object");
    }
    String name = null;
    String datatypeName = null;
    long[] shape = null;
    Tensor tensor = null;
    TokenBuffer pendingData = null;
    long binarySize = -1;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      String label = name == null ? "inputs[" + position + "]" : "input '" + name + "'";
      switch (field) {
        case "name" -> name = readString(parser, value, "inputs[" + position + "].name");
        case "datatype" -> datatypeName = readString(parser, value, label + " datatype");
        case "shape" -> shape = readShape(parser, value, label);
        case "data" -> {
          if (name != null && datatypeName != null && shape != null) {
            tensor = readData(parser, name, datatypeName, shape);
          } else { // fields out of the usual order: keep the tokens, decode once all are known
            pendingData = new TokenBuffer(parser);
            pendingData.copyCurrentStructure(parser);
          }
        }
        case "parameters" -> binarySize = readBinarySize(parser, value, label);
        default -> parser.skipChildren(); // extensions
      }
    }
    if (name == null || name.isEmpty()) {
      throw ApiException.badRequest("inputs[" + position + "] has no 'name'");
    }
    if (datatypeName == null) {
      throw ApiException.badRequest("input '" + name + "' has no 'datatype'");
    }
    if (shape == null) {
      throw ApiException.badRequest("input '" + name + "' has no 'shape'");
    }
    if (binarySize >= 0) {
      if (binary == null) {
        throw ApiException.badRequest(
            "input '"
                + name
                + "' has binary_data_size but the request has no "
                + BinaryTensorData.HEADER
                + " header saying where the JSON ends");
      }
      if (tensor != null || pendingData != null) {
        throw ApiException.badRequest(
            "input '" + name + "' has both 'data' and binary_data_size; send one of them");
      }
      return binary.next(name, datatype(name, datatypeName), shape, binarySize);
    }
    if (tensor == null && pendingData != null) {
      try (JsonParser replay = pendingData.asParser(parser.getCodec())) {
        replay.nextToken();
        tensor = readData(replay, name, datatypeName, shape);
      }
    }
    if (tensor == null) {
      throw ApiException.badRequest("input '" + name + "' has no 'data'");
    }
    return tensor;
  }

  private Tensor readData(JsonParser parser, String name, String datatypeName, long[] shape)
      throws IOException {
    return TensorDataReader.read(parser, name, datatype(name, datatypeName), shape, maxElements);
  }

  private static Datatype datatype(String name, String datatypeName) {
    return Datatype.fromName(datatypeName)
        .orElseThrow(
            () ->
                ApiException.badRequest(
                    "input '" + name + "': unknown datatype '" + datatypeName + "'"));
  }

  /** An input's {@code parameters}: its {@code binary_data_size}, or -1 when it has none. */
  private long readBinarySize(JsonParser parser, JsonToken token, String label) throws IOException {
    JsonNode size = readObject(parser, token, label + " parameters").get("binary_data_size");
    if (size == null) {
      return -1;
    }
    if (!size.isIntegralNumber() || !size.canConvertToInt() || size.intValue() < 0) {
      throw ApiException.badRequest(
          label + ": binary_data_size must be a non-negative integer, found " + size);
    }
    return size.intValue();
  }

  private static long[] readShape(JsonParser parser, JsonToken token, String label)
      throws IOException {
    if (token != JsonToken.START_ARRAY) {
      throw ApiException.badRequest(label + ": 'shape' must be an array of integers");
    }
    long[] dims = new long[8];
    int rank = 0;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (token != JsonToken.VALUE_NUMBER_INT
          || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          || parser.getLongValue() < 0) {
        throw ApiException.badRequest(
            label + ": 'shape' must hold non-negative integers, found " + parser.getText());
      }
      if (rank == dims.length) {
        dims = Arrays.copyOf(dims, rank * 2);
      }
      dims[rank++] = parser.getLongValue();
    }
    return Arrays.copyOf(dims, rank);
  }

  private List<RequestedOutput> readOutputs(JsonParser parser, JsonToken token) throws IOException {
    if (token != JsonToken.START_ARRAY) {
      throw ApiException.badRequest("'outputs' must be an array");
    }
    List<RequestedOutput> outputs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      ObjectNode node = readObject(parser, token, "outputs[" + outputs.size() + "]");
      String name = node.path("name").asText(null);
      if (name == null || name.isEmpty() || !node.get("name").isTextual()) {
        throw ApiException.badRequest("outputs[" + outputs.size() + "] has no 'name'");
      }
      if (!names.add(name)) {
        throw ApiException.badRequest("output '" + name + "' is requested more than once");
      }
      outputs.add(
          new RequestedOutput(name, node.get("parameters") instanceof ObjectNode p ? p : null));
    }
    return outputs;
  }

  private static String readString(JsonParser parser, JsonToken token, String label)
      throws IOException {
    if (token != JsonToken.VALUE_STRING) {
      throw ApiException.badRequest(label + " must be a string");
    }
    return parser.getText();
  }

  private ObjectNode readObject(JsonParser parser, JsonToken token, String label)
      throws IOException {
    if (token != JsonToken.START_OBJECT) {
      throw ApiException.badRequest(label + " must be an object");
    }
    return mapper.readTree(parser);
  }

  /** Encodes a V2 response with flat {@code data} arrays. */
  public void writeResponse(InferenceResponse response, OutputStream out) throws IOException {
    writeJson(response, BinaryOutputs.NONE, out);
  }

  /**
   * Encodes a V2 response; outputs {@code binary} selects get {@code "parameters":
   * {"binary_data_size": n}} in the JSON and their bytes after it, in output order.
   *
   * @return the JSON part's length, for the {@value BinaryTensorData#HEADER} header, or -1 when no
   *     output is binary (the body is plain JSON)
   */
  public int writeResponse(
      InferenceResponse response, BinaryOutputs binary, ByteArrayOutputStream out)
      throws IOException {
    int start = out.size();
    writeJson(response, binary, out);
    int jsonLength = out.size() - start;
    boolean any = false;
    for (Tensor tensor : response.outputs()) {
      if (binary.isBinary(tensor.name())) {
        BinaryTensorData.write(tensor, out);
        any = true;
      }
    }
    return any ? jsonLength : -1;
  }

  private void writeJson(InferenceResponse response, BinaryOutputs binary, OutputStream out)
      throws IOException {
    try (JsonGenerator gen = factory.createGenerator(out)) {
      gen.writeStartObject();
      gen.writeStringField("model_name", response.modelName());
      if (response.modelVersion() != null) {
        gen.writeStringField("model_version", response.modelVersion());
      }
      if (response.id() != null) {
        gen.writeStringField("id", response.id());
      }
      if (response.parameters() != null && !response.parameters().isEmpty()) {
        gen.writeFieldName("parameters");
        mapper.writeTree(gen, response.parameters());
      }
      gen.writeArrayFieldStart("outputs");
      for (Tensor tensor : response.outputs()) {
        gen.writeStartObject();
        gen.writeStringField("name", tensor.name());
        gen.writeStringField("datatype", tensor.datatype().name());
        gen.writeArrayFieldStart("shape");
        for (long dim : tensor.shape()) {
          gen.writeNumber(dim);
        }
        gen.writeEndArray();
        if (binary.isBinary(tensor.name())) {
          gen.writeObjectFieldStart("parameters");
          gen.writeNumberField("binary_data_size", BinaryTensorData.byteSize(tensor));
          gen.writeEndObject();
        } else {
          gen.writeFieldName("data");
          writeData(gen, tensor);
        }
        gen.writeEndObject();
      }
      gen.writeEndArray();
      gen.writeEndObject();
    }
  }

  /** Writes a tensor's elements as one flat JSON array. */
  public static void writeData(JsonGenerator gen, Tensor tensor) throws IOException {
    gen.writeStartArray();
    ElementWriter elements = new ElementWriter(tensor);
    for (long i = tensor.elementCount(); i > 0; i--) {
      elements.writeNext(gen);
    }
    gen.writeEndArray();
  }

  /** Writes a tensor as arrays nested by its shape; a rank-0 tensor as a bare value. */
  public static void writeNested(JsonGenerator gen, Tensor tensor) throws IOException {
    ElementWriter elements = new ElementWriter(tensor);
    if (tensor.rank() == 0) {
      elements.writeNext(gen);
    } else {
      writeNested(gen, elements, tensor.shape(), 0);
    }
  }

  private static void writeNested(
      JsonGenerator gen, ElementWriter elements, long[] shape, int depth) throws IOException {
    gen.writeStartArray();
    for (long i = 0; i < shape[depth]; i++) {
      if (depth == shape.length - 1) {
        elements.writeNext(gen);
      } else {
        writeNested(gen, elements, shape, depth + 1);
      }
    }
    gen.writeEndArray();
  }

  /** Walks a tensor's elements in order, writing each as the JSON value its datatype calls for. */
  private static final class ElementWriter {
    private final Datatype datatype;
    private final ByteBuffer data;
    private final byte[][] strings;
    private int nextString;

    ElementWriter(Tensor tensor) {
      this.datatype = tensor.datatype();
      this.data = datatype == Datatype.BYTES ? null : tensor.data();
      this.strings = datatype == Datatype.BYTES ? tensor.strings() : null;
    }

    void writeNext(JsonGenerator gen) throws IOException {
      switch (datatype) {
        case BOOL -> gen.writeBoolean(data.get() != 0);
        case UINT8 -> gen.writeNumber(Byte.toUnsignedInt(data.get()));
        case INT8 -> gen.writeNumber(data.get());
        case UINT16 -> gen.writeNumber(Short.toUnsignedInt(data.getShort()));
        case INT16 -> gen.writeNumber(data.getShort());
        case UINT32 -> gen.writeNumber(Integer.toUnsignedLong(data.getInt()));
        case INT32 -> gen.writeNumber(data.getInt());
        case UINT64 -> gen.writeNumber(Long.toUnsignedString(data.getLong()));
        case INT64 -> gen.writeNumber(data.getLong());
        case FP16 -> writeFloat(gen, Float.float16ToFloat(data.getShort()));
        case FP32 -> writeFloat(gen, data.getFloat());
        case FP64 -> writeDouble(gen, data.getDouble());
        case BYTES -> gen.writeString(new String(strings[nextString++], StandardCharsets.UTF_8));
      }
    }
  }

  private static void writeFloat(JsonGenerator gen, float value) throws IOException {
    if (Float.isFinite(value)) {
      gen.writeNumber(value);
    } else {
      gen.writeNumber(Float.toString(value)); // NaN / Infinity, as Triton writes them
    }
  }

  private static void writeDouble(JsonGenerator gen, double value) throws IOException {
    if (Double.isFinite(value)) {
      gen.writeNumber(value);
    } else {
      gen.writeNumber(Double.toString(value));
    }
  }

  /** The tensor bytes after the JSON part, handed out to binary inputs in order. */
  private static final class BinaryPart {
    private final byte[] body;
    private final int start;
    private int next;

    BinaryPart(byte[] body, int start) {
      this.body = body;
      this.start = start;
      this.next = start;
    }

    Tensor next(String name, Datatype datatype, long[] shape, long size) {
      if (size > body.length - next) {
        throw ApiException.badRequest(
            "input '"
                + name
                + "': binary_data_size "
                + size
                + " is more than the "
                + (body.length - next)
                + " bytes left in the body after the JSON part and earlier binary inputs");
      }
      Tensor tensor = BinaryTensorData.readInput(name, datatype, shape, body, next, (int) size);
      next += (int) size;
      return tensor;
    }

    void checkAllUsed() {
      if (next != body.length) {
        throw ApiException.badRequest(
            "the body has "
                + (body.length - start)
                + " bytes after the JSON part but the inputs' binary_data_size add up to "
                + (next - start));
      }
    }
  }
}
