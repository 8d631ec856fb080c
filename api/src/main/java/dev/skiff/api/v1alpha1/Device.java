package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a version runs its inference. */
public enum Device {
  @JsonProperty("cpu")
  CPU,
  @JsonProperty("gpu")
  GPU
}
