package dev.skiff.runtime.backend;

/**
 * How a backend should run the models of this server.
 *
 * @param intraOpThreads threads one inference call may use inside the backend
 * @param gpu whether to place models on a GPU (CUDA), failing the load when none is usable
 */
public record BackendOptions(int intraOpThreads, boolean gpu) {
  public BackendOptions {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads must be >= 1");
    }
  }

  /** A builder that starts from the defaults: one intra-op thread, CPU. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link BackendOptions}. */
  public static final class Builder {
    private int intraOpThreads = 1;
    private boolean gpu;

    private Builder() {}

    public Builder intraOpThreads(int value) {
      this.intraOpThreads = value;
      return this;
    }

    public Builder gpu(boolean value) {
      this.gpu = value;
      return this;
    }

    public BackendOptions build() {
      return new BackendOptions(intraOpThreads, gpu);
    }
  }
}
