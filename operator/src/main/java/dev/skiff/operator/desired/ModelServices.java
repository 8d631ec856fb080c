package dev.skiff.operator.desired;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelVersion;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.List;
import java.util.Map;

/** The per-version Services and the stable Service {@code <md>} that clients use. */
public final class ModelServices {

  private ModelServices() {}

  public static Service versionService(ModelDeployment md, ModelVersion version) {
    return service(
        md,
        ResourceNames.versionResource(md, version.getName()),
        ResourceNames.versionLabels(md, version.getName()),
        ResourceNames.versionSelector(md, version.getName()));
  }

  /**
   * The stable Service. With one version it selects that version's pods. With several it selects
   * the pods of every version, so requests spread by pod count, not by weight: weighted routing is
   * the router's job (issue 4), which will point this selector at the router pods instead.
   */
  public static Service stableService(ModelDeployment md) {
    return service(
        md,
        ResourceNames.stableService(md),
        ResourceNames.labels(md, ResourceNames.COMPONENT_ENDPOINT),
        stableSelector(md));
  }

  /** Hook for the weighted router (issue 4): the pods the stable Service sends traffic to. */
  public static Map<String, String> stableSelector(ModelDeployment md) {
    List<ModelVersion> versions = Versions.of(md);
    return versions.size() == 1
        ? ResourceNames.versionSelector(md, versions.getFirst().getName())
        : ResourceNames.allVersionsSelector(md);
  }

  private static Service service(
      ModelDeployment md, String name, Map<String, String> labels, Map<String, String> selector) {
    return new ServiceBuilder()
        .withMetadata(Owners.childMeta(md, name, labels))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(selector)
        .addNewPort()
        .withName(ResourceNames.HTTP_PORT_NAME)
        .withPort(ResourceNames.HTTP_PORT)
        .withNewTargetPort(ResourceNames.HTTP_PORT_NAME)
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }
}
