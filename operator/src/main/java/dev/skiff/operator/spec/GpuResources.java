package dev.skiff.operator.spec;

/**
 * The extended resources the NVIDIA device plugin advertises: whole GPUs, time-sliced shares and
 * MIG profiles. Validation and the Deployment builder ask the same question, so it lives here.
 */
public final class GpuResources {

  /** The default GPU resource; also the taint key GPU nodes carry. */
  public static final String GPU = "nvidia.com/gpu";

  private GpuResources() {}

  /** Whether a resource name is a GPU: {@code nvidia.com/gpu}, {@code .shared} or a MIG profile. */
  public static boolean isGpu(String name) {
    return name.equals(GPU) || name.equals(GPU + ".shared") || name.startsWith("nvidia.com/mig-");
  }
}
