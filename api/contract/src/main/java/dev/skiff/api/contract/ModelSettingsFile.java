package dev.skiff.api.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The file {@code <repository>/<model>/model.yaml} as written: what the operator renders from a
 * ModelDeployment and what the runtime reads (and validates into its own settings) for every model
 * it serves. Absent keys are null. Every key is documented in the README ("Model repository").
 *
 * @param name the model's name in API paths; the runtime uses the folder name when absent
 * @param description free text for metadata and the OpenAPI document
 * @param defaultVersion the version that answers requests naming none
 * @param format the backend ({@link ModelFormat#value()} for Skiff's own); from the file name when
 *     absent
 * @param inputs declared inputs; the model file's own when absent
 * @param outputs declared outputs; the model file's own when absent
 * @param labels class names, index-aligned with the model's class outputs
 * @param batching dynamic batching
 * @param preprocess how an uploaded image (docs/images.md) or text (docs/text.md) becomes the input
 *     tensors
 * @param postprocess how outputs become labels or boxes (docs/images.md)
 * @param limits per-request limits on top of the server's
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSettingsFile(
    String name,
    String description,
    String defaultVersion,
    String format,
    List<TensorDeclaration> inputs,
    List<TensorDeclaration> outputs,
    List<String> labels,
    Batching batching,
    Preprocess preprocess,
    Postprocess postprocess,
    Limits limits) {

  /**
   * Dynamic batching.
   *
   * @param maxBatchSize most rows one model call joins (required, at least 1)
   * @param maxDelayMillis longest a request waits for company (0 when absent)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Batching(Integer maxBatchSize, Integer maxDelayMillis) {}

  /**
   * Per-request limits.
   *
   * @param maxBatchSize most rows (first dimension) one request may carry
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Limits(Integer maxBatchSize) {}

  /**
   * Image or text to tensors. The choices are text, matched without regard to case ({@code
   * center-crop}, {@code NCHW}), so the runtime can name the allowed values when one is wrong. An
   * image preprocess uses the first eight keys; {@code type: text} uses only the last five
   * (docs/text.md).
   *
   * @param input the model input to fill; the model's only input when absent
   * @param size {@code [height, width]}
   * @param resize {@code stretch}, {@code center-crop} or {@code letterbox}
   * @param channels {@code rgb}, {@code bgr} or {@code gray}
   * @param scale factor applied to 0..255 pixel values
   * @param mean per-channel (or one) value subtracted after scaling
   * @param std per-channel (or one) divisor after subtracting the mean
   * @param layout {@code NCHW}, {@code NHWC} or {@code flat}
   * @param type {@code image} (when absent) or {@code text}
   * @param tokenizer text: the Hugging Face {@code tokenizer.json} in the version folder
   * @param maxLength text: most tokens per text, special tokens included
   * @param truncation text: cut longer texts to {@code maxLength} (else refuse them)
   * @param padding text: {@code longest} (the request's longest text) or {@code max-length}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Preprocess(
      String input,
      List<Integer> size,
      String resize,
      String channels,
      Double scale,
      List<Double> mean,
      List<Double> std,
      String layout,
      String type,
      String tokenizer,
      Integer maxLength,
      Boolean truncation,
      String padding) {

    /** An image preprocess (no text keys). */
    public Preprocess(
        String input,
        List<Integer> size,
        String resize,
        String channels,
        Double scale,
        List<Double> mean,
        List<Double> std,
        String layout) {
      this(input, size, resize, channels, scale, mean, std, layout, null, null, null, null, null);
    }
  }

  /**
   * Outputs to an answer.
   *
   * @param type {@code classification} or {@code detection}
   * @param output the output read
   * @param topK labels answered by a classifier
   * @param format detection output format: {@code yolo} (decoded rows) or {@code yolov2} (raw
   *     region grid)
   * @param confidenceThreshold lowest box score kept
   * @param iouThreshold overlap above which the weaker box is dropped
   * @param maxDetections most boxes answered
   * @param anchors {@code yolov2}: anchor box sizes in grid cells, {@code [w0, h0, w1, h1, ...]}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Postprocess(
      String type,
      String output,
      Integer topK,
      String format,
      Double confidenceThreshold,
      Double iouThreshold,
      Integer maxDetections,
      List<Double> anchors) {}
}
