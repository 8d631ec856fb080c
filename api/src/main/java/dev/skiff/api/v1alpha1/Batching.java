package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Dynamic batching: requests arriving within maxDelayMillis are run together, up to a size. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Batching {

  @JsonPropertyDescription("Largest batch the runtime forms (1 disables batching).")
  @Default("1")
  @Min(1)
  @Max(4096)
  private Integer maxBatchSize;

  @JsonPropertyDescription("Longest time in milliseconds a request waits for a batch to fill.")
  @Default("0")
  @Min(0)
  @Max(10000)
  private Integer maxDelayMillis;

  public Integer getMaxBatchSize() {
    return maxBatchSize;
  }

  public void setMaxBatchSize(Integer maxBatchSize) {
    this.maxBatchSize = maxBatchSize;
  }

  public Integer getMaxDelayMillis() {
    return maxDelayMillis;
  }

  public void setMaxDelayMillis(Integer maxDelayMillis) {
    this.maxDelayMillis = maxDelayMillis;
  }
}
