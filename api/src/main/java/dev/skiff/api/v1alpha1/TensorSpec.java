package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.skiff.api.contract.Datatype;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** One tensor of the Open Inference Protocol metadata: name, datatype and shape (-1 = any). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TensorSpec {

  @JsonPropertyDescription("Tensor name as the model declares it.")
  @Required
  @Size(min = 1, max = 253)
  private String name;

  @JsonPropertyDescription("Open Inference Protocol datatype, e.g. FP32, INT64, BYTES.")
  @Required
  private Datatype datatype;

  @JsonPropertyDescription("Dimensions; -1 marks a variable dimension such as the batch.")
  @Required
  @Size(max = 16)
  private List<Long> shape;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Datatype getDatatype() {
    return datatype;
  }

  public void setDatatype(Datatype datatype) {
    this.datatype = datatype;
  }

  public List<Long> getShape() {
    return shape;
  }

  public void setShape(List<Long> shape) {
    this.shape = shape;
  }
}
