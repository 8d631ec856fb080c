package dev.skiff.runtime.model;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One version folder of a model and where it is in its life: loading, ready (a {@link
 * ServingVersion} exists), or failed with a message. The serving version is published by one
 * volatile write, so a reader sees all of it or none.
 */
public final class ModelVersion {
  /** Where a version is in its life. */
  public enum State {
    LOADING,
    READY,
    FAILED
  }

  private final String modelName;
  private final String name;
  private final Path directory;
  private volatile State state = State.LOADING;
  private volatile ServingVersion serving;
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

  /** The version as requests use it; present once {@link #state()} is READY. */
  public Optional<ServingVersion> serving() {
    return Optional.ofNullable(serving).filter(s -> state == State.READY);
  }

  /** Why the version failed to load, when it did. */
  public Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  void markReady(ServingVersion loaded) {
    this.serving = loaded;
    this.state = State.READY;
  }

  void markFailed(String message) {
    this.failure = message;
    this.state = State.FAILED;
  }

  /**
   * Takes the version out of service; its session is closed once the requests running on it
   * finished.
   */
  void unload() {
    ServingVersion current = serving;
    if (current != null) {
      current.retire();
    }
  }
}
