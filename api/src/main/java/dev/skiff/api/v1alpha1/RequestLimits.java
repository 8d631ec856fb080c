package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Per-request limits of one model: model.yaml's {@code limits}, on top of the server's. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RequestLimits {

  @JsonPropertyDescription(
      "The most rows (first dimension) one request may carry, 1..1000000; more is answered 400."
          + " Absent: no limit beyond the request body size.")
  @Min(1)
  @Max(1000000)
  private Integer maxBatchSize;

  public Integer getMaxBatchSize() {
    return maxBatchSize;
  }

  public void setMaxBatchSize(Integer maxBatchSize) {
    this.maxBatchSize = maxBatchSize;
  }
}
