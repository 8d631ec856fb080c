package dev.skiff.runtime.model;

import dev.skiff.api.contract.ModelSettingsFile;
import dev.skiff.api.contract.TensorDeclaration;
import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * One model's settings as the runtime holds them, checked when the repository is opened: names, the
 * declared tensor contract, labels, per-request limits, and the {@link BatchingSettings} and {@link
 * ImageSettings} sections. Built only by {@link #from}, from model.yaml's {@link
 * ModelSettingsFile}.
 *
 * @param name the model's name in API paths
 * @param description free text for metadata and the OpenAPI document, or null
 * @param defaultVersion the version that answers requests naming none, or null for the highest
 * @param format the backend's format name, or null to go by the model file's name
 * @param inputs declared inputs; empty means the model file's own
 * @param outputs declared outputs; empty means the model file's own
 * @param labels class names, index-aligned with the model's class outputs
 * @param maxRowsPerRequest the most rows (first dimension) one request may carry
 * @param batching dynamic batching, when enabled
 * @param image image pre- and postprocessing (the postprocess serves text models too)
 * @param text text preprocessing ({@code preprocess} of {@code type: text}), when the model takes
 *     text
 */
public record ModelSettings(
    String name,
    String description,
    String defaultVersion,
    String format,
    List<TensorSpec> inputs,
    List<TensorSpec> outputs,
    List<String> labels,
    OptionalInt maxRowsPerRequest,
    Optional<BatchingSettings> batching,
    ImageSettings image,
    Optional<TextSettings> text) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  public ModelSettings {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    labels = List.copyOf(labels);
  }

  /**
   * Checks model.yaml and converts it; a typo stops the model before anything is loaded.
   *
   * @param folderName the model's folder: its name when the file gives none
   * @throws ModelLoadException naming the key that is wrong and why
   */
  public static ModelSettings from(ModelSettingsFile file, String folderName) {
    String name = file.name() == null ? folderName : file.name();
    if (!NAME.matcher(name).matches()) {
      throw new ModelLoadException(
          "model name '" + name + "' must be 1-128 letters, digits, '.', '_' or '-'");
    }
    String where = "model '" + name + "'";
    OptionalInt maxRows = OptionalInt.empty();
    if (file.limits() != null && file.limits().maxBatchSize() != null) {
      if (file.limits().maxBatchSize() < 1) {
        throw new ModelLoadException(
            where + ": limits.maxBatchSize must be >= 1, not " + file.limits().maxBatchSize());
      }
      maxRows = OptionalInt.of(file.limits().maxBatchSize());
    }
    ModelSettingsFile.Preprocess pre = file.preprocess();
    String type = pre == null || pre.type() == null ? "image" : pre.type();
    if (!type.equalsIgnoreCase("image") && !type.equalsIgnoreCase("text")) {
      throw new ModelLoadException(
          where + ": preprocess.type must be one of [image, text], found '" + type + "'");
    }
    boolean textPreprocess = type.equalsIgnoreCase("text");
    return new ModelSettings(
        name,
        file.description(),
        file.defaultVersion(),
        file.format(),
        tensors(file.inputs(), where),
        tensors(file.outputs(), where),
        file.labels() == null ? List.of() : file.labels(),
        maxRows,
        file.batching() == null
            ? Optional.empty()
            : Optional.of(BatchingSettings.from(file.batching(), where)),
        ImageSettings.from(textPreprocess ? null : pre, file.postprocess(), where),
        textPreprocess ? Optional.of(TextSettings.from(pre, where)) : Optional.empty());
  }

  private static List<TensorSpec> tensors(List<TensorDeclaration> declared, String where) {
    List<TensorSpec> specs = new ArrayList<>();
    for (TensorDeclaration t : declared == null ? List.<TensorDeclaration>of() : declared) {
      if (t == null || t.name() == null || t.name().isBlank()) {
        throw new ModelLoadException(where + ": a tensor has no 'name'");
      }
      if (t.datatype() == null) {
        throw new ModelLoadException(where + ": tensor '" + t.name() + "' has no 'datatype'");
      }
      if (t.shape() == null) {
        throw new ModelLoadException(where + ": tensor '" + t.name() + "' has no 'shape'");
      }
      for (Long dim : t.shape()) {
        if (dim == null || dim < -1) {
          throw new ModelLoadException(
              where
                  + ": tensor '"
                  + t.name()
                  + "' shape "
                  + t.shape()
                  + " may hold only -1 or sizes >= 0");
        }
      }
      if (specs.stream().anyMatch(other -> other.name().equals(t.name()))) {
        throw new ModelLoadException(where + ": tensor '" + t.name() + "' is declared twice");
      }
      specs.add(TensorSpec.of(t.name(), t.datatype(), t.shape()));
    }
    return specs;
  }
}
