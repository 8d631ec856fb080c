package dev.skiff.operator.reconciler;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelDeploymentStatus;

/**
 * Told of every status the reconciler computes for a ModelDeployment, written or not, so
 * observability (the condition gauge) follows the operator's view without reading the API server.
 */
@FunctionalInterface
public interface StatusListener {

  StatusListener NONE = (md, status) -> {};

  void statusComputed(ModelDeployment md, ModelDeploymentStatus status);
}
