package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.skiff.api.contract.ImageChoices;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

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
@ValidationRule(
    value = "!has(self.anchors) || (has(self.format) && self.format == 'yolov2')",
    message = "postprocess.anchors applies only to format yolov2",
    fieldPath = ".anchors")
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
      "detection: the output format, yolo (default: [1, N, 5 + classes] rows of cx, cy, w, h,"
          + " objectness, class scores) or yolov2 (TinyYOLOv2's raw region grid [1, anchors x (5"
          + " + classes), S, S]).")
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

  @JsonPropertyDescription(
      "detection, format yolov2: anchor box sizes in grid cells, [w0, h0, w1, h1, ...], each"
          + " 0 < a <= 1000; default TinyYOLOv2 VOC's [1.08, 1.19, 3.42, 4.41, 6.63, 11.38, 9.42,"
          + " 5.11, 16.62, 10.52].")
  @Size(min = 2, max = 200)
  @ValidationRule(
      value = "size(self) % 2 == 0 && self.all(a, a > 0.0 && a <= 1000.0)",
      message = "postprocess.anchors are pairs of width, height, each above 0 and at most 1000")
  private List<Double> anchors;

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

  public List<Double> getAnchors() {
    return anchors;
  }

  public void setAnchors(List<Double> anchors) {
    this.anchors = anchors;
  }
}
