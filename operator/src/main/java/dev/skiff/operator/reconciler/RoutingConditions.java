package dev.skiff.operator.reconciler;

import dev.skiff.api.v1alpha1.ModelDeployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Workflow conditions read from the desired state of this reconcile, so the dependents and the
 * status agree on one decision. A reconcile precondition that is not met deletes the dependent's
 * object (the router when going back to one version, the HTTPRoute when parentRefs go).
 */
final class RoutingConditions {

  private RoutingConditions() {}

  /** The router objects exist only while the router splits traffic. */
  public static final class RouterWanted<R> implements Condition<R, ModelDeployment> {
    @Override
    public boolean isMet(
        DependentResource<R, ModelDeployment> dependent,
        ModelDeployment primary,
        Context<ModelDeployment> context) {
      return Dependents.desired(context).router() != null;
    }
  }

  /** The HTTPRoute exists only while a Gateway splits traffic. */
  public static final class HttpRouteWanted<R> implements Condition<R, ModelDeployment> {
    @Override
    public boolean isMet(
        DependentResource<R, ModelDeployment> dependent,
        ModelDeployment primary,
        Context<ModelDeployment> context) {
      return Dependents.desired(context).httpRoute() != null;
    }
  }

  /** The GRPCRoute exists only while a Gateway splits traffic (and GRPCRoutes are served). */
  public static final class GrpcRouteWanted<R> implements Condition<R, ModelDeployment> {
    @Override
    public boolean isMet(
        DependentResource<R, ModelDeployment> dependent,
        ModelDeployment primary,
        Context<ModelDeployment> context) {
      return Dependents.desired(context).grpcRoute() != null;
    }
  }

  /** Activation of the GRPCRoute dependent, as {@link GatewayApiInstalled} for HTTPRoutes. */
  public static final class GrpcRoutesServed<R> implements Condition<R, ModelDeployment> {
    @Override
    public boolean isMet(
        DependentResource<R, ModelDeployment> dependent,
        ModelDeployment primary,
        Context<ModelDeployment> context) {
      return Dependents.desired(context).grpcRoutesServed();
    }
  }

  /** The feedback peers' Service exists only while feedback is enabled. */
  public static final class FeedbackPeersWanted<R> implements Condition<R, ModelDeployment> {
    @Override
    public boolean isMet(
        DependentResource<R, ModelDeployment> dependent,
        ModelDeployment primary,
        Context<ModelDeployment> context) {
      return Dependents.desired(context).feedbackPeersService() != null;
    }
  }

  /**
   * Activation of the HTTPRoute dependent: its informer is registered only while the CRD is
   * installed, so the operator starts and runs where the Gateway API is absent. Cluster-wide (the
   * informer is shared by all ModelDeployments), never per ModelDeployment.
   */
  public static final class GatewayApiInstalled<R> implements Condition<R, ModelDeployment> {
    @Override
    public boolean isMet(
        DependentResource<R, ModelDeployment> dependent,
        ModelDeployment primary,
        Context<ModelDeployment> context) {
      return Dependents.desired(context).gatewayApiInstalled();
    }
  }
}
