package dev.skiff.runtime.backend;

/**
 * How a backend should run its models.
 *
 * @param intraOpThreads threads one inference call may use inside the backend
 * @param gpu whether to place the model on a GPU (CUDA), failing the load when none is usable
 */
public record BackendOptions(int intraOpThreads, boolean gpu) {
  public BackendOptions {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads must be >= 1");
    }
  }
}
