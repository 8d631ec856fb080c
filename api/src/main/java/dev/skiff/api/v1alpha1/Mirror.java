package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Shadow traffic: a percentage of requests is also sent to one version, answers discarded. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Mirror {

  @JsonPropertyDescription("Name of the version (one of spec.versions) that receives the copies.")
  @Required
  @Size(min = 1, max = 30)
  private String version;

  @JsonPropertyDescription("Percent of requests copied (0-100).")
  @Default("100")
  @Min(0)
  @Max(100)
  private Integer percent;

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public Integer getPercent() {
    return percent;
  }

  public void setPercent(Integer percent) {
    this.percent = percent;
  }
}
