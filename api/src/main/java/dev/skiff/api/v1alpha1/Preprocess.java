package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.skiff.api.contract.ImageChoices;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * How an uploaded image becomes the model's input tensor, or texts its token tensors ({@code type:
 * text}): model.yaml's {@code preprocess}, same keys and words (docs/images.md, docs/text.md). The
 * API server refuses what the runtime's {@code ImageSettings} and {@code TextSettings} would refuse
 * when the model loads.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "(has(self.type) && self.type == 'text') || has(self.size)",
    message = "preprocess.size ([height, width]) is required for an image preprocess",
    fieldPath = ".size")
@ValidationRule(
    value =
        "!has(self.type) || self.type != 'text' || !(has(self.input) || has(self.size)"
            + " || has(self.resize) || has(self.channels) || has(self.scale) || has(self.mean)"
            + " || has(self.std) || has(self.layout))",
    message =
        "preprocess of type text takes tokenizer, maxLength, truncation and padding; input, size,"
            + " resize, channels, scale, mean, std and layout are image keys")
@ValidationRule(
    value =
        "(has(self.type) && self.type == 'text') || !(has(self.tokenizer) || has(self.maxLength)"
            + " || has(self.truncation) || has(self.padding))",
    message =
        "preprocess.tokenizer, maxLength, truncation and padding are text keys; add type: text")
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
      "image (default): an uploaded image fills one input; text: texts are tokenized into"
          + " input_ids, attention_mask and token_type_ids.")
  private ImageChoices.PreprocessType type;

  @JsonPropertyDescription(
      "The model input the image fills; may be omitted when the model has exactly one input.")
  @Size(min = 1, max = 253)
  private String input;

  @JsonPropertyDescription(
      "image: [height, width] in pixels the model takes, each 1..8192 (required for an image).")
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

  @JsonPropertyDescription(
      "text: the Hugging Face tokenizer.json in each version folder, a plain file name (default"
          + " tokenizer.json).")
  @Size(min = 1, max = 128)
  @ValidationRule(
      value = "self.matches('^[A-Za-z0-9_][A-Za-z0-9_.-]*$')",
      message =
          "preprocess.tokenizer must be a file name in the version folder (letters, digits, '.',"
              + " '_', '-')")
  private String tokenizer;

  @JsonPropertyDescription(
      "text: the most tokens per text, special tokens included, 1..8192 (default 128).")
  @Min(1)
  @Max(8192)
  private Integer maxLength;

  @JsonPropertyDescription(
      "text: cut a longer text to maxLength tokens (default true); false refuses it.")
  private Boolean truncation;

  @JsonPropertyDescription(
      "text: longest (each request to its longest text; a batch to its longest request) or"
          + " max-length (every text to maxLength); default max-length when the model's token"
          + " dimension is fixed, longest when it is -1.")
  private ImageChoices.Padding padding;

  public ImageChoices.PreprocessType getType() {
    return type;
  }

  public void setType(ImageChoices.PreprocessType type) {
    this.type = type;
  }

  public String getTokenizer() {
    return tokenizer;
  }

  public void setTokenizer(String tokenizer) {
    this.tokenizer = tokenizer;
  }

  public Integer getMaxLength() {
    return maxLength;
  }

  public void setMaxLength(Integer maxLength) {
    this.maxLength = maxLength;
  }

  public Boolean getTruncation() {
    return truncation;
  }

  public void setTruncation(Boolean truncation) {
    this.truncation = truncation;
  }

  public ImageChoices.Padding getPadding() {
    return padding;
  }

  public void setPadding(ImageChoices.Padding padding) {
    this.padding = padding;
  }

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
