package dev.skiff.runtime.model;

import dev.skiff.runtime.backend.ModelSession;
import dev.skiff.runtime.tensor.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One version of a model and where it is in its life: loading, ready (loaded and warmed up), or
 * failed with a message. Fields are published together by swapping one immutable {@link Loaded}.
 */
public final class ModelVersion {
  /** Where a version is in its life. */
  public enum State {
    LOADING,
    READY,
    FAILED
  }

  /** What a successful load produced: the session and the contract requests are checked against. */
  public record Loaded(
      ModelSession session,
      String format,
      List<TensorSpec> inputs,
      List<TensorSpec> outputs,
      double loadSeconds) {
    public Loaded {
      inputs = List.copyOf(inputs);
      outputs = List.copyOf(outputs);
    }
  }

  private final String modelName;
  private final String name;
  private final Path directory;
  private volatile State state = State.LOADING;
  private volatile Loaded loaded;
  private volatile String failure;

  public ModelVersion(String modelName, String name, Path directory) {
    this.modelName = modelName;
    this.name = name;
    this.directory = directory;
  }

  public String modelName() {
    return modelName;
  }

  public String name() {
    return name;
  }

  public Path directory() {
    return directory;
  }

  public State state() {
    return state;
  }

  public boolean isReady() {
    return state == State.READY;
  }

  /** The load result; present once {@link #state()} is READY. */
  public Optional<Loaded> loaded() {
    return Optional.ofNullable(loaded);
  }

  /** Why the version failed to load, when it did. */
  public Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  void markReady(Loaded result) {
    this.loaded = result;
    this.state = State.READY;
  }

  void markFailed(String message) {
    this.failure = message;
    this.state = State.FAILED;
  }

  /** Releases the session; the version stops answering. */
  void unload() {
    Loaded current = loaded;
    if (current != null) {
      current.session().close();
    }
  }
}
