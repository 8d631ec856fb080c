package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Model file formats the runtime has a backend for. */
public enum ModelFormat {
  @JsonProperty("onnx")
  ONNX,
  @JsonProperty("dl4j")
  DL4J,
  @JsonProperty("keras")
  KERAS
}
