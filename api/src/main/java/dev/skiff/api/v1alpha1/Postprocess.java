package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.skiff.api.contract.ImageChoices;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How the model's outputs become an answer: model.yaml's {@code postprocess}, same keys and words
 * (docs/images.md). Keys of the other type are refused, so a classifier's settings cannot silently
 * carry detection thresholds that nothing reads.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.type == 'classification' || !has(self.topK)",
    message = "postprocess.topK applies only to type classification",
    fieldPath = ".topK")
@ValidationRule(
    value =
        "self.type == 'detection' || !(has(self.format) || has(self.confidenceThreshold)"
            + " || has(self.iouThreshold) || has(self.maxDetections))",
    message =
        "postprocess.format, confidenceThreshold, iouThreshold and maxDetections apply only to"
            + " type detection")
public class Postprocess {

  @JsonPropertyDescription(
      "classification (top-k labels with scores) or detection (YOLO-style boxes).")
  @Required
  private ImageChoices.PostprocessType type;

  @JsonPropertyDescription(
      "The FP32 output read; default: probabilities when the model has it, else its only FP32"
          + " output.")
  @Size(min = 1, max = 253)
  private String output;

  @JsonPropertyDescription(
      "classification: how many labels are answered, best first; 1..100000 (default 5).")
  @Min(1)
  @Max(100000)
  private Integer topK;

  @JsonPropertyDescription(
      "detection: the output format, yolo ([1, N, 5 + classes] rows of cx, cy, w, h,"
          + " objectness, class scores; default and only one).")
  private ImageChoices.DetectionFormat format;

  @JsonPropertyDescription(
      "detection: the least objectness x class score a box needs to be kept, 0..1 (default"
          + " 0.25).")
  @Min(0)
  @Max(1)
  private Double confidenceThreshold;

  @JsonPropertyDescription(
      "detection: overlap (IoU) above which the weaker box of a class is dropped, 0..1 (default"
          + " 0.45).")
  @Min(0)
  @Max(1)
  private Double iouThreshold;

  @JsonPropertyDescription("detection: the most boxes answered, 1..100000 (default 100).")
  @Min(1)
  @Max(100000)
  private Integer maxDetections;

  public ImageChoices.PostprocessType getType() {
    return type;
  }

  public void setType(ImageChoices.PostprocessType type) {
    this.type = type;
  }

  public String getOutput() {
    return output;
  }

  public void setOutput(String output) {
    this.output = output;
  }

  public Integer getTopK() {
    return topK;
  }

  public void setTopK(Integer topK) {
    this.topK = topK;
  }

  public ImageChoices.DetectionFormat getFormat() {
    return format;
  }

  public void setFormat(ImageChoices.DetectionFormat format) {
    this.format = format;
  }

  public Double getConfidenceThreshold() {
    return confidenceThreshold;
  }

  public void setConfidenceThreshold(Double confidenceThreshold) {
    this.confidenceThreshold = confidenceThreshold;
  }

  public Double getIouThreshold() {
    return iouThreshold;
  }

  public void setIouThreshold(Double iouThreshold) {
    this.iouThreshold = iouThreshold;
  }

  public Integer getMaxDetections() {
    return maxDetections;
  }

  public void setMaxDetections(Integer maxDetections) {
    this.maxDetections = maxDetections;
  }
}
