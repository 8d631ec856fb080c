package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** The declared I/O contract; the runtime validates requests and the loaded model against it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelSchema {

  @JsonPropertyDescription("Input tensors the model accepts.")
  @Size(max = 64)
  private List<TensorSpec> inputs;

  @JsonPropertyDescription("Output tensors the model returns.")
  @Size(max = 64)
  private List<TensorSpec> outputs;

  @JsonPropertyDescription(
      "Class labels, in output index order, used to turn class indices into names.")
  @Size(max = 100000)
  private List<String> labels;

  public List<TensorSpec> getInputs() {
    return inputs;
  }

  public void setInputs(List<TensorSpec> inputs) {
    this.inputs = inputs;
  }

  public List<TensorSpec> getOutputs() {
    return outputs;
  }

  public void setOutputs(List<TensorSpec> outputs) {
    this.outputs = outputs;
  }

  public List<String> getLabels() {
    return labels;
  }

  public void setLabels(List<String> labels) {
    this.labels = labels;
  }
}
