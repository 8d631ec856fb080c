package dev.skiff.operator.desired;

import dev.skiff.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.Map;

/** Metadata of a child: name, namespace, labels and the controller owner reference. */
final class Owners {

  private Owners() {}

  static OwnerReference ownerReference(ModelDeployment md) {
    return new OwnerReferenceBuilder()
        .withApiVersion(ModelDeployment.API_VERSION)
        .withKind(ModelDeployment.KIND)
        .withName(md.getMetadata().getName())
        .withUid(md.getMetadata().getUid())
        .withController(true)
        .build();
  }

  static ObjectMeta childMeta(ModelDeployment md, String name, Map<String, String> labels) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(md.getMetadata().getNamespace())
        .withLabels(labels)
        .withOwnerReferences(ownerReference(md))
        .build();
  }
}
