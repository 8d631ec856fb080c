package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Which GPU extended resource a gpu version asks for (whole GPU, time-sliced share, MIG slice). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GpuSpec {

  @JsonPropertyDescription(
      "Extended resource name: nvidia.com/gpu, nvidia.com/gpu.shared or a MIG profile such as"
          + " nvidia.com/mig-1g.10gb.")
  @Default("nvidia.com/gpu")
  @Pattern("^nvidia\\.com/(gpu|gpu\\.shared|mig-[0-9a-z.]+)$")
  private String resourceName;

  @JsonPropertyDescription("How many units of the resource each pod gets.")
  @Default("1")
  @Min(1)
  @Max(16)
  private Integer count;

  public String getResourceName() {
    return resourceName;
  }

  public void setResourceName(String resourceName) {
    this.resourceName = resourceName;
  }

  public Integer getCount() {
    return count;
  }

  public void setCount(Integer count) {
    this.count = count;
  }
}
