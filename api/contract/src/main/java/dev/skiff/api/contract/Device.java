package dev.skiff.api.contract;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a version runs its inference: the ModelDeployment's {@code device}, the runtime's {@code
 * --device} and {@link RuntimeEnvironment#DEVICE}.
 */
public enum Device {
  @JsonProperty("cpu")
  CPU,
  @JsonProperty("gpu")
  GPU;

  /** The name on the command line and in YAML: {@code cpu} or {@code gpu}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code cpu} or {@code gpu}, as written; empty for anything else. */
  public static Optional<Device> fromValue(String value) {
    for (Device device : values()) {
      if (device.value().equals(value)) {
        return Optional.of(device);
      }
    }
    return Optional.empty();
  }
}
