package dev.skiff.operator.desired;

import dev.skiff.api.v1alpha1.Autoscaling;
import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelVersion;
import dev.skiff.operator.spec.ResourceNames;
import dev.skiff.operator.spec.Versions;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;

/** The autoscaling/v2 HorizontalPodAutoscaler of a version that has no fixed replica count. */
public final class Autoscalers {

  private Autoscalers() {}

  public static HorizontalPodAutoscaler build(ModelDeployment md, ModelVersion version) {
    Autoscaling scaling = Versions.autoscaling(md, version);
    String name = ResourceNames.versionResource(md, version.getName());
    return new HorizontalPodAutoscalerBuilder()
        .withMetadata(
            Owners.childMeta(md, name, ResourceNames.versionLabels(md, version.getName())))
        .withNewSpec()
        .withNewScaleTargetRef()
        .withApiVersion("apps/v1")
        .withKind("Deployment")
        .withName(name)
        .endScaleTargetRef()
        .withMinReplicas(scaling.getMinReplicas())
        .withMaxReplicas(scaling.getMaxReplicas())
        .addNewMetric()
        .withType("Resource")
        .withNewResource()
        .withName("cpu")
        .withNewTarget()
        .withType("Utilization")
        .withAverageUtilization(scaling.getTargetCPUUtilizationPercentage())
        .endTarget()
        .endResource()
        .endMetric()
        .endSpec()
        .build();
  }
}
