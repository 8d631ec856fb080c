package dev.skiff.operator.spec;

import dev.skiff.api.contract.Device;
import dev.skiff.api.v1alpha1.Autoscaling;
import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelSchema;
import dev.skiff.api.v1alpha1.ModelVersion;
import java.util.List;
import java.util.Objects;

/** Effective per-version values: version override, then spec-wide value, then the default. */
public final class Versions {

  public static final int DEFAULT_MIN_REPLICAS = 1;
  public static final int DEFAULT_MAX_REPLICAS = 3;
  public static final int DEFAULT_TARGET_CPU = 70;

  private Versions() {}

  public static List<ModelVersion> of(ModelDeployment md) {
    return md.getSpec() == null || md.getSpec().getVersions() == null
        ? List.of()
        : md.getSpec().getVersions();
  }

  public static boolean isGpu(ModelVersion version) {
    return version.getDevice() == Device.GPU;
  }

  /** Traffic weight; a single version without a weight takes all traffic. */
  public static int weight(ModelDeployment md, ModelVersion version) {
    if (version.getWeight() != null) {
      return version.getWeight();
    }
    return of(md).size() == 1 ? 100 : 0;
  }

  /** Whether an HPA scales this version (no fixed replica count). */
  public static boolean autoscaled(ModelVersion version) {
    return version.getReplicas() == null;
  }

  /** Autoscaling bounds with defaults applied (min never above max). */
  public static Autoscaling autoscaling(ModelDeployment md, ModelVersion version) {
    Autoscaling base =
        version.getAutoscaling() != null
            ? version.getAutoscaling()
            : Objects.requireNonNullElseGet(md.getSpec().getAutoscaling(), Autoscaling::new);
    Autoscaling effective = new Autoscaling();
    int min = Objects.requireNonNullElse(base.getMinReplicas(), DEFAULT_MIN_REPLICAS);
    int max =
        Objects.requireNonNullElse(base.getMaxReplicas(), Math.max(min, DEFAULT_MAX_REPLICAS));
    effective.setMinReplicas(Math.min(min, max));
    effective.setMaxReplicas(max);
    effective.setTargetCPUUtilizationPercentage(
        Objects.requireNonNullElse(base.getTargetCPUUtilizationPercentage(), DEFAULT_TARGET_CPU));
    return effective;
  }

  /**
   * The schema a version serves: each key its own {@code schema} sets replaces that key of {@code
   * spec.schema} as a whole (a version's {@code preprocess} is not merged into the spec's); keys it
   * leaves out come from the spec. Never null.
   */
  public static ModelSchema schema(ModelDeployment md, ModelVersion version) {
    ModelSchema spec = Objects.requireNonNullElseGet(md.getSpec().getSchema(), ModelSchema::new);
    ModelSchema own = version.getSchema();
    if (own == null) {
      return spec;
    }
    ModelSchema effective = new ModelSchema();
    effective.setInputs(ownOrSpec(own.getInputs(), spec.getInputs()));
    effective.setOutputs(ownOrSpec(own.getOutputs(), spec.getOutputs()));
    effective.setLabels(ownOrSpec(own.getLabels(), spec.getLabels()));
    effective.setPreprocess(ownOrSpec(own.getPreprocess(), spec.getPreprocess()));
    effective.setPostprocess(ownOrSpec(own.getPostprocess(), spec.getPostprocess()));
    effective.setLimits(ownOrSpec(own.getLimits(), spec.getLimits()));
    return effective;
  }

  private static <T> T ownOrSpec(T own, T spec) {
    return own != null ? own : spec;
  }
}
