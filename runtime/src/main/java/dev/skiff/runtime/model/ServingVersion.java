package dev.skiff.runtime.model;

import dev.skiff.runtime.backend.ModelSession;
import dev.skiff.runtime.execution.VersionRunner;
import dev.skiff.runtime.tensor.TensorSpec;
import dev.skiff.runtime.text.TextTokenizer;
import java.util.List;
import java.util.Optional;

/**
 * One loaded, warmed-up version as every request sees it, made once by {@link VersionLoader}: its
 * names, its model's settings, the contract requests are held to, the backend session and the
 * runner (batched or not) that calls it. Nothing is looked up again by name per request.
 *
 * @param model the model's name
 * @param version the version's name
 * @param settings the model's settings (labels, limits, image pre- and postprocessing, batching)
 * @param format the backend's format name
 * @param inputs the inputs requests must carry: the declared ones, or the model file's own
 * @param outputs the outputs requests may ask for
 * @param session the loaded model
 * @param runner how requests run: alone or joined into batches
 * @param tokenizer the version's tokenizer, when the model takes text
 * @param loadSeconds how long loading and warming up took
 * @param inFlight the requests running on this version, so unloading waits for them
 */
public record ServingVersion(
    String model,
    String version,
    ModelSettings settings,
    String format,
    List<TensorSpec> inputs,
    List<TensorSpec> outputs,
    ModelSession session,
    VersionRunner runner,
    Optional<TextTokenizer> tokenizer,
    double loadSeconds,
    InFlight inFlight) {

  public ServingVersion {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /**
   * Marks a request as running on this version until {@link #exit}.
   *
   * @return false when the version was unloaded or replaced meanwhile; the request must not run
   */
  public boolean enter() {
    return inFlight.enter();
  }

  /** The request that {@link #enter entered} is done. */
  public void exit() {
    inFlight.exit();
  }

  /** Requests running on this version now. */
  public int running() {
    return inFlight.running();
  }

  /**
   * Takes the version out of service: no request enters any more, and the model is closed once the
   * requests already running finished.
   */
  void retire() {
    inFlight.retire(this::close);
  }

  /** Closes the model and its tokenizer. */
  private void close() {
    session.close();
    tokenizer.ifPresent(TextTokenizer::close);
  }

  /** {@code model 'iris' version 'v1'}, for messages. */
  public String describe() {
    return "model '" + model + "' version '" + version + "'";
  }
}
