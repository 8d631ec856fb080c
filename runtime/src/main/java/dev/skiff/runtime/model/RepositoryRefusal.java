package dev.skiff.runtime.model;

/**
 * A repository operation (load, unload) that was not done, with the kind of reason so REST and gRPC
 * each answer with their own status. The message names the model and what to do.
 */
public final class RepositoryRefusal extends RuntimeException {
  /** Why the operation was not done. */
  public enum Kind {
    /** No such model in the repository folder (REST 404, gRPC NOT_FOUND). */
    UNKNOWN_MODEL,
    /** The model-control mode does not allow it (REST 400, gRPC FAILED_PRECONDITION). */
    MODE,
    /** The request carried something this server does not do (REST 400, gRPC INVALID_ARGUMENT). */
    UNSUPPORTED,
    /** The model could not be read or loaded; what served before still serves (REST 400). */
    LOAD_FAILED,
    /** The model would not fit the memory budget (REST 400, gRPC RESOURCE_EXHAUSTED). */
    OVER_BUDGET
  }

  private final Kind kind;

  public RepositoryRefusal(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
