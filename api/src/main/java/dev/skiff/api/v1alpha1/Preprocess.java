package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.skiff.api.contract.ImageChoices;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * How an uploaded image becomes the model's input tensor: model.yaml's {@code preprocess}, same
 * keys and words (docs/images.md). The API server refuses what the runtime's {@code ImageSettings}
 * would refuse when the model loads.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.mean) || size(self.mean) == 1"
            + " || (size(self.mean) == 3 && (!has(self.channels) || self.channels != 'gray'))",
    message =
        "preprocess.mean needs 1 value, or 3 (one per channel) with channels rgb or bgr; gray has"
            + " one channel",
    fieldPath = ".mean")
@ValidationRule(
    value =
        "!has(self.std) || size(self.std) == 1"
            + " || (size(self.std) == 3 && (!has(self.channels) || self.channels != 'gray'))",
    message =
        "preprocess.std needs 1 value, or 3 (one per channel) with channels rgb or bgr; gray has"
            + " one channel",
    fieldPath = ".std")
public class Preprocess {

  @JsonPropertyDescription(
      "The model input the image fills; may be omitted when the model has exactly one input.")
  @Size(min = 1, max = 253)
  private String input;

  @JsonPropertyDescription("[height, width] in pixels the model takes, each 1..8192.")
  @Required
  @Size(min = 2, max = 2)
  @ValidationRule(
      value = "self.all(d, d >= 1 && d <= 8192)",
      message = "preprocess.size must be [height, width], each 1..8192")
  private List<Integer> size;

  @JsonPropertyDescription(
      "How the image is fitted to size: stretch (default; ignores the aspect ratio), center-crop"
          + " (scales the shorter side to fit, cuts the middle) or letterbox (scales the longer"
          + " side to fit, pads with grey 114).")
  private ImageChoices.Resize resize;

  @JsonPropertyDescription(
      "The channels the model takes, in order: rgb (default), bgr or gray (one channel).")
  private ImageChoices.Channels channels;

  @JsonPropertyDescription(
      "Factor applied to the 0..255 pixel values, > 0 (default 1): value = (pixel * scale -"
          + " mean[c]) / std[c], e.g. 0.00392156862745098 for 0..1.")
  @Min(value = 0, inclusive = false)
  private Double scale;

  @JsonPropertyDescription(
      "Subtracted after scaling: one value for all channels, or one per channel (default 0).")
  @Size(min = 1, max = 3)
  private List<Double> mean;

  @JsonPropertyDescription(
      "Divisor after subtracting the mean, non-zero: one value for all channels, or one per"
          + " channel (default 1).")
  @Size(min = 1, max = 3)
  @ValidationRule(value = "self.all(v, v != 0.0)", message = "preprocess.std may not hold 0")
  private List<Double> std;

  @JsonPropertyDescription(
      "Tensor layout: NCHW (default, [1, C, H, W]), NHWC ([1, H, W, C]) or flat ([1, C*H*W],"
          + " row-major H, W, C).")
  private ImageChoices.Layout layout;

  public String getInput() {
    return input;
  }

  public void setInput(String input) {
    this.input = input;
  }

  public List<Integer> getSize() {
    return size;
  }

  public void setSize(List<Integer> size) {
    this.size = size;
  }

  public ImageChoices.Resize getResize() {
    return resize;
  }

  public void setResize(ImageChoices.Resize resize) {
    this.resize = resize;
  }

  public ImageChoices.Channels getChannels() {
    return channels;
  }

  public void setChannels(ImageChoices.Channels channels) {
    this.channels = channels;
  }

  public Double getScale() {
    return scale;
  }

  public void setScale(Double scale) {
    this.scale = scale;
  }

  public List<Double> getMean() {
    return mean;
  }

  public void setMean(List<Double> mean) {
    this.mean = mean;
  }

  public List<Double> getStd() {
    return std;
  }

  public void setStd(List<Double> std) {
    this.std = std;
  }

  public ImageChoices.Layout getLayout() {
    return layout;
  }

  public void setLayout(ImageChoices.Layout layout) {
    this.layout = layout;
  }
}
