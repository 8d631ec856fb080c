package dev.skiff.operator.reconciler;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.desired.DesiredState;
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

  /**
   * A condition that is one question to this reconcile's {@link DesiredState}. JOSDK instantiates
   * each condition class by its no-argument constructor, hence one small class per question.
   */
  abstract static class OnDesiredState<R> implements Condition<R, ModelDeployment> {
    abstract boolean met(DesiredState desired);

    @Override
    public final boolean isMet(
        DependentResource<R, ModelDeployment> dependent,
        ModelDeployment primary,
        Context<ModelDeployment> context) {
      return met(Dependents.desired(context));
    }
  }

  /** The router objects exist only while the router splits traffic. */
  public static final class RouterWanted<R> extends OnDesiredState<R> {
    @Override
    boolean met(DesiredState desired) {
      return desired.router() != null;
    }
  }

  /** The HTTPRoute exists only while a Gateway splits traffic. */
  public static final class HttpRouteWanted<R> extends OnDesiredState<R> {
    @Override
    boolean met(DesiredState desired) {
      return desired.httpRoute() != null;
    }
  }

  /** The GRPCRoute exists only while a Gateway splits traffic (and GRPCRoutes are served). */
  public static final class GrpcRouteWanted<R> extends OnDesiredState<R> {
    @Override
    boolean met(DesiredState desired) {
      return desired.grpcRoute() != null;
    }
  }

  /** Activation of the GRPCRoute dependent, as {@link GatewayApiInstalled} for HTTPRoutes. */
  public static final class GrpcRoutesServed<R> extends OnDesiredState<R> {
    @Override
    boolean met(DesiredState desired) {
      return desired.grpcRoutesServed();
    }
  }

  /** The feedback peers' Service exists only while feedback is enabled. */
  public static final class FeedbackPeersWanted<R> extends OnDesiredState<R> {
    @Override
    boolean met(DesiredState desired) {
      return desired.feedbackPeersService() != null;
    }
  }

  /**
   * Activation of the HTTPRoute dependent: its informer is registered only while the CRD is
   * installed, so the operator starts and runs where the Gateway API is absent. Cluster-wide (the
   * informer is shared by all ModelDeployments), never per ModelDeployment.
   */
  public static final class GatewayApiInstalled<R> extends OnDesiredState<R> {
    @Override
    boolean met(DesiredState desired) {
      return desired.gatewayApiInstalled();
    }
  }
}
