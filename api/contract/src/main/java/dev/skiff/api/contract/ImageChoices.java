package dev.skiff.api.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The words model.yaml's {@code preprocess} and {@code postprocess} choose from (docs/images.md,
 * docs/text.md), as the ModelDeployment spells them: its schema lists exactly these, so the API
 * server refuses what the runtime would refuse. {@link ModelSettingsFile} keeps them as text, which
 * the runtime matches without regard to case and names the allowed values of when one is wrong.
 */
public final class ImageChoices {

  private ImageChoices() {}

  /** The {@link JsonProperty} name of a constant: one spelling for YAML, the CRD and code. */
  private static String word(Enum<?> constant) {
    try {
      return constant
          .getDeclaringClass()
          .getField(constant.name())
          .getAnnotation(JsonProperty.class)
          .value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code preprocess.resize}: how the image is fitted to {@code size}. */
  public enum Resize {
    @JsonProperty("stretch")
    STRETCH,
    @JsonProperty("center-crop")
    CENTER_CROP,
    @JsonProperty("letterbox")
    LETTERBOX;

    /** The word in YAML. */
    public String value() {
      return word(this);
    }
  }

  /** {@code preprocess.channels}: which channels the model takes, in order. */
  public enum Channels {
    @JsonProperty("rgb")
    RGB,
    @JsonProperty("bgr")
    BGR,
    @JsonProperty("gray")
    GRAY;

    /** The word in YAML. */
    public String value() {
      return word(this);
    }
  }

  /** {@code preprocess.layout}: how the pixels are laid out in the tensor. */
  public enum Layout {
    @JsonProperty("NCHW")
    NCHW,
    @JsonProperty("NHWC")
    NHWC,
    @JsonProperty("flat")
    FLAT;

    /** The word in YAML. */
    public String value() {
      return word(this);
    }
  }

  /** {@code postprocess.type}: what the model answers. */
  public enum PostprocessType {
    @JsonProperty("classification")
    CLASSIFICATION,
    @JsonProperty("detection")
    DETECTION;

    /** The word in YAML. */
    public String value() {
      return word(this);
    }
  }

  /** {@code postprocess.format}: a detector's output format (docs/images.md). */
  public enum DetectionFormat {
    @JsonProperty("yolo")
    YOLO,
    @JsonProperty("yolov2")
    YOLOV2;

    /** The word in YAML. */
    public String value() {
      return word(this);
    }
  }

  /** {@code preprocess.type}: what a request carries, an image or texts (docs/text.md). */
  public enum PreprocessType {
    @JsonProperty("image")
    IMAGE,
    @JsonProperty("text")
    TEXT;

    /** The word in YAML. */
    public String value() {
      return word(this);
    }
  }

  /** {@code preprocess.padding} of a text preprocess: the length one request's texts pad to. */
  public enum Padding {
    @JsonProperty("longest")
    LONGEST,
    @JsonProperty("max-length")
    MAX_LENGTH;

    /** The word in YAML. */
    public String value() {
      return word(this);
    }
  }
}
