package dev.skiff.operator.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.skiff.api.v1alpha1.Batching;
import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelSchema;
import dev.skiff.api.v1alpha1.ModelVersion;
import dev.skiff.api.v1alpha1.TensorSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders the runtime's {@code <repo>/<model>/model.yaml} from the spec, one per version (each pod
 * serves exactly one version, so its file names that version as the default).
 */
public final class ModelSettings {

  private static final ObjectMapper YAML =
      new ObjectMapper(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .build())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private ModelSettings() {}

  /** The model.yaml text for one version. */
  public static String render(ModelDeployment md, ModelVersion version) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("name", ResourceNames.modelName(md));
    doc.put("defaultVersion", version.getName());
    if (version.getFormat() != null) {
      doc.put("format", version.getFormat().name().toLowerCase(java.util.Locale.ROOT));
    }
    ModelSchema schema = md.getSpec().getSchema();
    if (schema != null) {
      if (schema.getInputs() != null) {
        doc.put("inputs", tensors(schema.getInputs()));
      }
      if (schema.getOutputs() != null) {
        doc.put("outputs", tensors(schema.getOutputs()));
      }
      if (schema.getLabels() != null) {
        doc.put("labels", schema.getLabels());
      }
    }
    Batching batching = md.getSpec().getBatching();
    if (batching != null) {
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("maxBatchSize", batching.getMaxBatchSize() == null ? 1 : batching.getMaxBatchSize());
      b.put(
          "maxDelayMillis",
          batching.getMaxDelayMillis() == null ? 0 : batching.getMaxDelayMillis());
      doc.put("batching", b);
    }
    try {
      return YAML.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Map<String, Object>> tensors(List<TensorSpec> specs) {
    return specs.stream()
        .map(
            t -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("name", t.getName());
              m.put("datatype", t.getDatatype() == null ? null : t.getDatatype().name());
              m.put("shape", t.getShape());
              return m;
            })
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
