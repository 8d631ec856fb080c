package dev.skiff.operator.desired;

import dev.skiff.api.contract.ContractYaml;
import dev.skiff.api.contract.ModelSettingsFile;
import dev.skiff.api.contract.TensorDeclaration;
import dev.skiff.api.v1alpha1.Batching;
import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelSchema;
import dev.skiff.api.v1alpha1.ModelVersion;
import dev.skiff.api.v1alpha1.Postprocess;
import dev.skiff.api.v1alpha1.Preprocess;
import dev.skiff.api.v1alpha1.RequestLimits;
import dev.skiff.api.v1alpha1.TensorSpec;
import dev.skiff.operator.spec.ResourceNames;
import dev.skiff.operator.spec.Versions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The runtime's {@code <repo>/<model>/model.yaml} ({@link ModelSettingsFile}) from the spec, one
 * per version: each pod serves exactly one version, so its file names that version as the default.
 */
public final class SettingsFiles {

  private SettingsFiles() {}

  /** The model.yaml of one version. */
  public static ModelSettingsFile of(ModelDeployment md, ModelVersion version) {
    ModelSchema schema = Versions.schema(md, version);
    Batching batching = md.getSpec().getBatching();
    return new ModelSettingsFile(
        ResourceNames.modelName(md),
        null,
        version.getName(),
        version.getFormat() == null ? null : version.getFormat().value(),
        tensors(schema.getInputs()),
        tensors(schema.getOutputs()),
        schema.getLabels(),
        batching == null
            ? null
            : new ModelSettingsFile.Batching(
                Objects.requireNonNullElse(batching.getMaxBatchSize(), 1),
                Objects.requireNonNullElse(batching.getMaxDelayMillis(), 0)),
        preprocess(schema.getPreprocess()),
        postprocess(schema.getPostprocess()),
        limits(schema.getLimits()));
  }

  /** Written as given: absent keys stay absent, so the runtime applies its own defaults. */
  private static ModelSettingsFile.Preprocess preprocess(Preprocess p) {
    return p == null
        ? null
        : new ModelSettingsFile.Preprocess(
            p.getInput(),
            p.getSize(),
            p.getResize() == null ? null : p.getResize().value(),
            p.getChannels() == null ? null : p.getChannels().value(),
            p.getScale(),
            p.getMean(),
            p.getStd(),
            p.getLayout() == null ? null : p.getLayout().value(),
            p.getType() == null ? null : p.getType().value(),
            p.getTokenizer(),
            p.getMaxLength(),
            p.getTruncation(),
            p.getPadding() == null ? null : p.getPadding().value());
  }

  private static ModelSettingsFile.Postprocess postprocess(Postprocess p) {
    return p == null
        ? null
        : new ModelSettingsFile.Postprocess(
            p.getType() == null ? null : p.getType().value(),
            p.getOutput(),
            p.getTopK(),
            p.getFormat() == null ? null : p.getFormat().value(),
            p.getConfidenceThreshold(),
            p.getIouThreshold(),
            p.getMaxDetections(),
            p.getAnchors());
  }

  private static ModelSettingsFile.Limits limits(RequestLimits limits) {
    return limits == null ? null : new ModelSettingsFile.Limits(limits.getMaxBatchSize());
  }

  /** The model.yaml text of one version. */
  public static String render(ModelDeployment md, ModelVersion version) {
    return ContractYaml.write(of(md, version));
  }

  private static List<TensorDeclaration> tensors(List<TensorSpec> specs) {
    return specs == null
        ? null
        : specs.stream()
            .map(t -> new TensorDeclaration(t.getName(), t.getDatatype(), t.getShape()))
            .toList();
  }

  /** The ConfigMap with one {@code <version>.model.yaml} key per version. */
  public static ConfigMap configMap(ModelDeployment md) {
    Map<String, String> data = new TreeMap<>();
    for (ModelVersion v : Versions.of(md)) {
      data.put(ResourceNames.settingsKey(v.getName()), render(md, v));
    }
    return new ConfigMapBuilder()
        .withMetadata(
            Owners.childMeta(
                md,
                ResourceNames.settingsConfigMap(md),
                ResourceNames.labels(md, ResourceNames.COMPONENT_SETTINGS)))
        .withData(data)
        .build();
  }

  /** Short content hash put on the pod template so pods roll when their model.yaml changes. */
  public static String hash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
