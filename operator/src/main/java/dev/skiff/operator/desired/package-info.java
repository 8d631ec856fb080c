/**
 * Builders of the Kubernetes objects a ModelDeployment should have (Deployments, Services,
 * autoscalers, ConfigMaps with the runtime's model.yaml and router.yaml, the HTTPRoute), computed
 * once per reconcile into {@link dev.skiff.operator.desired.DesiredState}. Pure functions: each is
 * unit-tested by calling it.
 */
package dev.skiff.operator.desired;
