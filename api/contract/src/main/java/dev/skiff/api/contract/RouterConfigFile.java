package dev.skiff.api.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The router's config file (docs/router.md) as written: what the operator puts into the router's
 * ConfigMap and what the runtime's {@code route} mode reads and validates. Absent keys are null.
 *
 * @param model the model's name, for the router's health page and logs
 * @param versions the versions in declaration order
 * @param mirror shadow traffic, when configured
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouterConfigFile(String model, List<Version> versions, Mirror mirror) {

  /**
   * One backend version.
   *
   * @param name the version's name, as in {@link RuntimeHttp#MODEL_VERSION_HEADER}
   * @param url base URL of the version's runtime; request paths are appended
   * @param weight percent of unpinned traffic, 0..100; all weights add up to 100 (or are all 0)
   * @param grpcPort the port of the version's V2 gRPC service, on the host of {@code url}; absent
   *     when the version serves no gRPC (the router then sends it no gRPC calls)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Version(String name, String url, Integer weight, Integer grpcPort) {

    /** A version that serves HTTP only. */
    public Version(String name, String url, Integer weight) {
      this(name, url, weight, null);
    }
  }

  /**
   * Shadow traffic: a copy of {@code percent}% of the requests other versions answer goes to {@code
   * version}, whose answers are discarded.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Mirror(String version, Integer percent) {}
}
