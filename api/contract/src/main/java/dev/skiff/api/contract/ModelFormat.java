package dev.skiff.api.contract;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * The model file formats Skiff's backends load, as the ModelDeployment and model.yaml's {@code
 * format} name them. model.yaml keeps {@code format} as text, so a runtime with an extra backend
 * can serve a format this enum does not list.
 */
public enum ModelFormat {
  @JsonProperty("onnx")
  ONNX,
  @JsonProperty("dl4j")
  DL4J,
  @JsonProperty("keras")
  KERAS;

  /** The name in YAML: {@code onnx}, {@code dl4j} or {@code keras}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }
}
