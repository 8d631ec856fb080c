package dev.skiff.runtime.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.tensor.TensorSpec;
import dev.skiff.runtime.web.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * KServe V1 / TensorFlow Serving JSON: {@code {"instances": [...]}} in, {@code {"predictions":
 * [...]}} out. Each instance is one row of the batch. A model with one input takes the row itself;
 * a model with several takes an object per row, keyed by input name. A model with one output
 * answers one value (or nested array) per row; with several, an object per row keyed by output
 * name.
 */
public final class V1JsonCodec {
  private final ObjectMapper mapper;
  private final long maxElements;

  public V1JsonCodec(V2JsonCodec v2) {
    this.mapper = v2.mapper();
    this.maxElements = v2.maxElements();
  }

  /** Converts a V1 body into tensors shaped {@code [instances, ...]} for the given inputs. */
  public InferenceRequest readRequest(InputStream body, List<TensorSpec> inputs) {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw V2JsonCodec.malformed(e);
    } catch (IOException e) {
      throw ApiException.badRequest("could not read the request body: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw ApiException.badRequest("the request body must be a JSON object with 'instances'");
    }
    JsonNode instances = root.get("instances");
    if (instances == null || !instances.isArray() || instances.isEmpty()) {
      throw ApiException.badRequest("'instances' must be a non-empty array, one entry per row");
    }
    List<Tensor> tensors = new ArrayList<>();
    for (TensorSpec spec : inputs) {
      ArrayNode column = mapper.createArrayNode();
      for (int i = 0; i < instances.size(); i++) {
        JsonNode row = instances.get(i);
        if (inputs.size() == 1) {
          column.add(row.isObject() && row.has(spec.name()) ? row.get(spec.name()) : row);
        } else {
          if (!row.isObject() || !row.has(spec.name())) {
            throw ApiException.badRequest(
                "instances["
                    + i
                    + "] must be an object with input '"
                    + spec.name()
                    + "' (the model has several inputs)");
          }
          column.add(row.get(spec.name()));
        }
      }
      tensors.add(toTensor(spec, column));
    }
    String id = root.hasNonNull("id") ? root.get("id").asText() : null;
    return new InferenceRequest(id, null, tensors, List.of());
  }

  private Tensor toTensor(TensorSpec spec, ArrayNode column) {
    long[] shape = shapeOf(column, spec);
    try (JsonParser parser = mapper.treeAsTokens(column)) {
      parser.nextToken();
      return TensorDataReader.read(parser, spec.name(), spec.datatype(), shape, maxElements);
    } catch (IOException e) {
      throw ApiException.badRequest("input '" + spec.name() + "': " + e.getMessage());
    }
  }

  /** The shape of nested arrays, read along the first element at each depth. */
  private static long[] shapeOf(JsonNode column, TensorSpec spec) {
    List<Long> dims = new ArrayList<>();
    JsonNode node = column;
    while (node.isArray()) {
      dims.add((long) node.size());
      if (node.isEmpty()) {
        break;
      }
      node = node.get(0);
    }
    if (dims.size() != spec.rank()) {
      throw ApiException.badRequest(
          "input '"
              + spec.name()
              + "': instances make a tensor of rank "
              + dims.size()
              + " but the model expects shape "
              + spec.shapeText());
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  /** Writes {@code {"predictions": [...]}}, one entry per row of the first dimension. */
  public void writeResponse(InferenceResponse response, OutputStream out) throws IOException {
    List<Tensor> outputs = response.outputs();
    long rows = outputs.get(0).rank() == 0 ? 1 : outputs.get(0).dim(0);
    try (JsonGenerator gen = mapper.getFactory().createGenerator(out)) {
      gen.writeStartObject();
      gen.writeArrayFieldStart("predictions");
      for (long row = 0; row < rows; row++) {
        if (outputs.size() == 1) {
          writeRow(gen, outputs.get(0), row);
        } else {
          gen.writeStartObject();
          for (Tensor tensor : outputs) {
            gen.writeFieldName(tensor.name());
            writeRow(gen, tensor, row);
          }
          gen.writeEndObject();
        }
      }
      gen.writeEndArray();
      gen.writeEndObject();
    }
  }

  private static void writeRow(JsonGenerator gen, Tensor tensor, long row) throws IOException {
    long[] shape = tensor.shape();
    if (shape.length == 0) {
      V2JsonCodec.writeNested(gen, tensor);
      return;
    }
    long perRow = Tensor.elementCount(shape) / Math.max(1, shape[0]);
    long[] rowShape = Arrays.copyOfRange(shape, 1, shape.length);
    V2JsonCodec.writeNested(gen, slice(tensor, row, perRow, rowShape));
  }

  private static Tensor slice(Tensor tensor, long row, long perRow, long[] rowShape) {
    if (tensor.datatype() == Datatype.BYTES) {
      byte[][] rowStrings =
          Arrays.copyOfRange(tensor.strings(), (int) (row * perRow), (int) ((row + 1) * perRow));
      return Tensor.ofStrings(tensor.name(), rowShape, rowStrings);
    }
    int size = tensor.datatype().byteSize();
    ByteBuffer data = tensor.data();
    data.position((int) (row * perRow * size));
    data.limit((int) ((row + 1) * perRow * size));
    return Tensor.ofBuffer(tensor.name(), tensor.datatype(), rowShape, data);
  }
}
