package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * The declared I/O contract and how images and answers map onto it; the runtime validates requests
 * and the loaded model against it. The same type is {@code spec.schema} and a version's {@code
 * schema}, whose keys replace the spec's one by one. The rules across keys hold where both keys are
 * in the same schema; the runtime checks the merged result against the model when it loads.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.preprocess) || (has(self.preprocess.type) && self.preprocess.type == 'text')"
            + " || !has(self.inputs) || size(self.inputs) <= 1",
    message = "preprocess fills one input, but the schema declares more than one input",
    fieldPath = ".preprocess")
@ValidationRule(
    value =
        "!has(self.preprocess) || (has(self.preprocess.type) && self.preprocess.type == 'text')"
            + " || !has(self.inputs) || size(self.inputs) != 1"
            + " || self.inputs[0].datatype == 'FP32'",
    message = "preprocess makes FP32 tensors, but the declared input is not FP32",
    fieldPath = ".preprocess")
@ValidationRule(
    value =
        "!has(self.preprocess) || !has(self.preprocess.input) || !has(self.inputs)"
            + " || self.inputs.exists(i, i.name == self.preprocess.input)",
    message = "preprocess.input must name the declared input",
    fieldPath = ".preprocess.input")
@ValidationRule(
    value =
        "!has(self.preprocess) || !has(self.preprocess.type) || self.preprocess.type != 'text'"
            + " || !has(self.inputs) || (self.inputs.exists(i, i.name == 'input_ids')"
            + " && self.inputs.all(i, i.name in ['input_ids', 'attention_mask', 'token_type_ids']"
            + " && i.datatype == 'INT64' && size(i.shape) == 2))",
    message =
        "preprocess of type text fills INT64 [batch, tokens] inputs input_ids (required),"
            + " attention_mask and token_type_ids; the schema declares other inputs",
    fieldPath = ".preprocess")
@ValidationRule(
    value =
        "!has(self.postprocess) || !has(self.postprocess.output) || !has(self.outputs)"
            + " || self.outputs.exists(o, o.name == self.postprocess.output)",
    message = "postprocess.output must name one of the declared outputs",
    fieldPath = ".postprocess.output")
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

  @JsonPropertyDescription(
      "How an uploaded image (POST /v1/models/<model>/predict, or a BYTES input) becomes the"
          + " input tensor, or (type text) texts become token tensors; without it the model takes"
          + " tensors only.")
  private Preprocess preprocess;

  @JsonPropertyDescription(
      "How the outputs become labels (classification) or boxes (detection); without it the raw"
          + " outputs are answered.")
  private Postprocess postprocess;

  @JsonPropertyDescription("Per-request limits on top of the server's (spec.runtime.server).")
  private RequestLimits limits;

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

  public Preprocess getPreprocess() {
    return preprocess;
  }

  public void setPreprocess(Preprocess preprocess) {
    this.preprocess = preprocess;
  }

  public Postprocess getPostprocess() {
    return postprocess;
  }

  public void setPostprocess(Postprocess postprocess) {
    this.postprocess = postprocess;
  }

  public RequestLimits getLimits() {
    return limits;
  }

  public void setLimits(RequestLimits limits) {
    this.limits = limits;
  }
}
