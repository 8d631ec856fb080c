package dev.skiff.runtime.feedback;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.image.Answer;
import dev.skiff.runtime.image.Labels;
import dev.skiff.runtime.model.ServingVersion;
import dev.skiff.runtime.protocol.InferenceResponse;
import dev.skiff.runtime.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Remembers what every inference predicted, whichever API asked (V2, V1 {@code :predict}, image
 * upload), so feedback can name the request id alone. The predicted label of an answer (its first
 * row) is, in this order: with {@code postprocess}, the top-1 label or the best box's label; else
 * the first element of an integer or BYTES output named {@code label}; else the argmax of the first
 * FP32 output. An integer index becomes its name through {@code labels}.
 */
public final class PredictionRecorder {
  private static final Logger LOG = Logger.getLogger(PredictionRecorder.class.getName());

  private final RecentPredictions recent;
  private final Clock clock;

  public PredictionRecorder(RecentPredictions recent, Clock clock) {
    this.recent = recent;
    this.clock = clock;
  }

  /**
   * Remembers one answer.
   *
   * @param answer the postprocessed answer, when the model has {@code postprocess}
   */
  public void record(ServingVersion version, InferenceResponse response, Optional<Answer> answer) {
    if (response.id() == null) {
      return;
    }
    try {
      List<String> labels = version.settings().labels();
      String label = null;
      int index = -1;
      if (answer.isPresent()) {
        var best = answer.get().best();
        if (best.isPresent()) {
          label = best.get().label();
          index = best.get().index();
        }
      } else {
        index = predictedIndex(response.outputs());
        String bytesLabel = bytesLabel(response.outputs());
        if (bytesLabel != null) {
          label = bytesLabel;
          index = labels.indexOf(bytesLabel);
        } else if (index >= 0) {
          label = Labels.name(labels, index);
        }
      }
      recent.add(
          new Prediction(
              version.model(), version.version(), response.id(), label, index, clock.instant()));
    } catch (RuntimeException e) {
      // Remembering is a side job: it must never fail the answer.
      LOG.log(Level.WARNING, "could not remember the prediction of " + response.id(), e);
    }
  }

  /** The class index of the first row: a {@code label} integer output, else an FP32 argmax. */
  static int predictedIndex(List<Tensor> outputs) {
    for (Tensor t : outputs) {
      if (t.name().equals("label") && t.elementCount() > 0) {
        ByteBuffer data = t.datatype() == Datatype.BYTES ? null : t.data();
        switch (t.datatype()) {
          case INT64, UINT64 -> {
            return (int) data.getLong(0);
          }
          case INT32, UINT32 -> {
            return data.getInt(0);
          }
          case INT16, UINT16 -> {
            return data.getShort(0);
          }
          case INT8, UINT8 -> {
            return data.get(0);
          }
          default -> {}
        }
      }
    }
    for (Tensor t : outputs) {
      if (t.datatype() == Datatype.FP32 && t.rank() >= 1 && t.elementCount() > 0) {
        var floats = t.data().asFloatBuffer();
        int row = (int) Math.min(t.dim(t.rank() - 1), floats.remaining());
        int best = 0;
        for (int i = 1; i < row; i++) {
          if (floats.get(i) > floats.get(best)) {
            best = i;
          }
        }
        return best;
      }
    }
    return -1;
  }

  private static String bytesLabel(List<Tensor> outputs) {
    for (Tensor t : outputs) {
      if (t.name().equals("label") && t.datatype() == Datatype.BYTES && t.elementCount() > 0) {
        return new String(t.strings()[0], StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
