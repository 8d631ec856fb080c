package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * Options of the model server process ({@code serve}) in every version's pods, each passed as the
 * runtime option of the same name; an absent one keeps the runtime's default. The upper bounds are
 * where a value stops making sense in one pod, not the runtime's: bodies and decoded images are
 * held in single Java arrays.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServerSettings {

  @JsonPropertyDescription(
      "Platform threads that run models (--inference-threads), 1..256. Default: one per core the"
          + " container sees (its CPU limit, rounded up; the node's cores without one).")
  @Min(1)
  @Max(256)
  private Integer inferenceThreads;

  @JsonPropertyDescription(
      "Threads one ONNX Runtime call may use (--intra-op-threads), 1..256. Default 1. Keep"
          + " inferenceThreads x intraOpThreads <= cores.")
  @Min(1)
  @Max(256)
  private Integer intraOpThreads;

  @JsonPropertyDescription(
      "Requests that may wait for an inference thread (--queue-size), 1..1000000; beyond it the"
          + " server answers 503 with Retry-After. Default: 64 per core.")
  @Min(1)
  @Max(1000000)
  private Integer queueSize;

  @JsonPropertyDescription(
      "Largest request body in bytes, chunked or not (--max-payload-bytes), 1..2147483647;"
          + " larger is answered 413. Default 33554432 (32 MiB).")
  @Min(1)
  @Max(2147483647)
  private Long maxPayloadBytes;

  @JsonPropertyDescription(
      "Largest uploaded image, width x height read from its header before decoding"
          + " (--max-image-pixels), 1..500000000; larger is answered 413. Default 40000000.")
  @Min(1)
  @Max(500000000)
  private Long maxImagePixels;

  public Integer getInferenceThreads() {
    return inferenceThreads;
  }

  public void setInferenceThreads(Integer inferenceThreads) {
    this.inferenceThreads = inferenceThreads;
  }

  public Integer getIntraOpThreads() {
    return intraOpThreads;
  }

  public void setIntraOpThreads(Integer intraOpThreads) {
    this.intraOpThreads = intraOpThreads;
  }

  public Integer getQueueSize() {
    return queueSize;
  }

  public void setQueueSize(Integer queueSize) {
    this.queueSize = queueSize;
  }

  public Long getMaxPayloadBytes() {
    return maxPayloadBytes;
  }

  public void setMaxPayloadBytes(Long maxPayloadBytes) {
    this.maxPayloadBytes = maxPayloadBytes;
  }

  public Long getMaxImagePixels() {
    return maxImagePixels;
  }

  public void setMaxImagePixels(Long maxImagePixels) {
    this.maxImagePixels = maxImagePixels;
  }
}
