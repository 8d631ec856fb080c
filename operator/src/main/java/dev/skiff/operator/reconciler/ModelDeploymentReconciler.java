package dev.skiff.operator.reconciler;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelDeploymentStatus;
import dev.skiff.operator.desired.DesiredState;
import dev.skiff.operator.desired.RuntimeDefaults;
import dev.skiff.operator.spec.ResourceNames;
import dev.skiff.operator.spec.SpecValidator;
import dev.skiff.operator.status.StatusCalculator;
import dev.skiff.operator.status.StatusEvents;
import dev.skiff.operator.status.TrafficStatus;
import dev.skiff.operator.traffic.TrafficPlan;
import dev.skiff.operator.traffic.TrafficPlanner;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a ModelDeployment: validates what CEL cannot, plans the traffic from what the cluster
 * shows (version readiness, router readiness, Gateway API presence, drains in progress), runs the
 * workflow of dependents with the desired state computed once, then derives the status and patches
 * it only when it changed. Invalid specs become Ready=False plus a Warning Event, with no retry
 * loop: the next reconcile comes from the next spec change. A running drain asks for a reconcile
 * when it ends instead of polling.
 */
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(name = "settings", type = SettingsConfigMapDependent.class),
      @Dependent(name = "deployments", type = DeploymentDependent.class, dependsOn = "settings"),
      @Dependent(name = "version-services", type = VersionServiceDependent.class),
      @Dependent(name = "autoscalers", type = AutoscalerDependent.class, dependsOn = "deployments"),
      @Dependent(
          name = "router-config",
          type = RouterConfigMapDependent.class,
          reconcilePrecondition = RoutingConditions.RouterWanted.class),
      @Dependent(
          name = "router",
          type = RouterDeploymentDependent.class,
          dependsOn = "router-config",
          reconcilePrecondition = RoutingConditions.RouterWanted.class),
      @Dependent(
          name = "router-autoscaler",
          type = RouterAutoscalerDependent.class,
          dependsOn = "router",
          reconcilePrecondition = RoutingConditions.RouterWanted.class),
      @Dependent(
          name = "http-route",
          type = HttpRouteDependent.class,
          activationCondition = RoutingConditions.GatewayApiInstalled.class,
          reconcilePrecondition = RoutingConditions.HttpRouteWanted.class),
      @Dependent(
          name = "grpc-route",
          type = GrpcRouteDependent.class,
          activationCondition = RoutingConditions.GrpcRoutesServed.class,
          reconcilePrecondition = RoutingConditions.GrpcRouteWanted.class),
      @Dependent(name = "stable-service", type = StableServiceDependent.class),
      @Dependent(
          name = "feedback-peers",
          type = FeedbackPeersServiceDependent.class,
          reconcilePrecondition = RoutingConditions.FeedbackPeersWanted.class)
    })
@ControllerConfiguration(
    name = ModelDeploymentReconciler.NAME,
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 10, timeUnit = TimeUnit.MINUTES))
public class ModelDeploymentReconciler implements Reconciler<ModelDeployment> {

  public static final String NAME = "modeldeployment";
  static final String PODS_EVENT_SOURCE = "pods";

  private static final Logger LOG = LoggerFactory.getLogger(ModelDeploymentReconciler.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RuntimeDefaults defaults;
  private final Clock clock;
  private final GatewayApiDetector gatewayApi;
  private final GatewayApiDetector grpcRoutes;
  private final StatusListener statuses;

  public ModelDeploymentReconciler(RuntimeDefaults defaults, StatusListener statuses) {
    this(defaults, statuses, Clock.systemUTC());
  }

  ModelDeploymentReconciler(RuntimeDefaults defaults, StatusListener statuses, Clock clock) {
    this.defaults = defaults;
    this.statuses = statuses;
    this.clock = clock;
    this.gatewayApi = new GatewayApiDetector(clock, TrafficStatus.HTTPROUTE_CRD);
    this.grpcRoutes = new GatewayApiDetector(clock, TrafficStatus.GRPCROUTE_CRD);
  }

  /**
   * Pods are watched too: an init container's fetch failure, the model server's load failure (its
   * termination message) and the digest a pod fetched are only visible on the pod.
   */
  @Override
  public List<EventSource<?, ModelDeployment>> prepareEventSources(
      EventSourceContext<ModelDeployment> context) {
    var pods =
        InformerEventSourceConfiguration.from(Pod.class, ModelDeployment.class)
            .withName(PODS_EVENT_SOURCE)
            .withNamespacesInheritedFromController()
            .withLabelSelector(ResourceNames.MANAGED_SELECTOR)
            .withSecondaryToPrimaryMapper(
                pod -> {
                  Map<String, String> labels = pod.getMetadata().getLabels();
                  String owner = labels == null ? null : labels.get(ResourceNames.LABEL_INSTANCE);
                  return owner == null
                      ? Set.of()
                      : Set.of(new ResourceID(owner, pod.getMetadata().getNamespace()));
                })
            .build();
    return List.of(new InformerEventSource<>(pods, context));
  }

  @Override
  public UpdateControl<ModelDeployment> reconcile(
      ModelDeployment md, Context<ModelDeployment> context) {
    ModelDeploymentStatus next;
    Optional<Duration> recheck = Optional.empty();
    Optional<String> problem = SpecValidator.validate(md);
    if (problem.isPresent()) {
      LOG.info("{}/{} is invalid: {}", namespace(md), name(md), problem.get());
      next = StatusCalculator.invalid(md, problem.get(), clock.instant());
    } else {
      Instant now = clock.instant();
      TrafficPlan plan = TrafficPlanner.plan(md, observe(md, context), now);
      var workflow = context.managedWorkflowAndDependentResourceContext();
      workflow.put(
          DesiredState.class,
          DesiredState.of(
              md,
              defaults,
              plan,
              retainedSettings(md, context),
              grpcRoutes.installed(context.getClient())));
      workflow.reconcileManagedWorkflow();
      List<Pod> pods =
          context
              .eventSourceRetriever()
              .getEventSourceFor(Pod.class, PODS_EVENT_SOURCE)
              .getSecondaryResources(md)
              .stream()
              .toList();
      // the version and router autoscalers' informers: their status changes trigger a reconcile
      List<HorizontalPodAutoscaler> autoscalers =
          context.getSecondaryResourcesAsStream(HorizontalPodAutoscaler.class).toList();
      next =
          StatusCalculator.compute(
              md, versionDeployments(md, context), pods, autoscalers, plan, now);
      recheck = plan.recheckAfter();
    }
    statuses.statusComputed(md, next);

    UpdateControl<ModelDeployment> control;
    if (sameJson(md.getStatus(), next)) {
      control = UpdateControl.noUpdate();
    } else {
      EventRecorder events = new EventRecorder(context.getClient());
      StatusEvents.between(md.getStatus(), next).forEach(e -> events.record(md, e));
      ModelDeployment patch = new ModelDeployment();
      patch.setMetadata(
          new ObjectMetaBuilder().withName(name(md)).withNamespace(namespace(md)).build());
      patch.setStatus(next);
      control = UpdateControl.patchStatus(patch);
    }
    // a drain ends by the clock, not by an event: look again then (plus a second of slack)
    recheck.ifPresent(d -> control.rescheduleAfter(d.plusSeconds(1)));
    return control;
  }

  /** Version readiness, router readiness and Gateway API presence, from the informer caches. */
  private TrafficPlanner.Observed observe(ModelDeployment md, Context<ModelDeployment> context) {
    Map<String, Integer> ready = new LinkedHashMap<>();
    versionDeployments(md, context)
        .forEach(
            (version, d) -> {
              if (d.getMetadata().getDeletionTimestamp() == null) {
                ready.put(
                    version,
                    d.getStatus() == null || d.getStatus().getReadyReplicas() == null
                        ? 0
                        : d.getStatus().getReadyReplicas());
              }
            });
    boolean routerAvailable =
        context
            .getSecondaryResourcesAsStream(Deployment.class)
            .filter(d -> ResourceNames.router(md).equals(d.getMetadata().getName()))
            .filter(d -> d.getMetadata().getDeletionTimestamp() == null)
            .anyMatch(
                d ->
                    d.getStatus() != null
                        && d.getStatus().getReadyReplicas() != null
                        && d.getStatus().getReadyReplicas() >= 1);
    return new TrafficPlanner.Observed(
        ready, routerAvailable, gatewayApi.installed(context.getClient()));
  }

  /** model.yaml keys in the settings ConfigMap now, so draining versions keep theirs. */
  private static Map<String, String> retainedSettings(
      ModelDeployment md, Context<ModelDeployment> context) {
    return context
        .getSecondaryResourcesAsStream(ConfigMap.class)
        .filter(c -> ResourceNames.settingsConfigMap(md).equals(c.getMetadata().getName()))
        .filter(c -> c.getData() != null)
        .findFirst()
        .map(ConfigMap::getData)
        .orElse(Map.of());
  }

  /** The primary's version Deployments keyed by version (not the router's). */
  private static Map<String, Deployment> versionDeployments(
      ModelDeployment md, Context<ModelDeployment> context) {
    return context
        .getSecondaryResourcesAsStream(Deployment.class)
        .filter(d -> d.getMetadata().getLabels() != null)
        .filter(d -> name(md).equals(d.getMetadata().getLabels().get(ResourceNames.LABEL_INSTANCE)))
        .filter(d -> d.getMetadata().getLabels().containsKey(ResourceNames.LABEL_VERSION))
        .collect(
            Collectors.toMap(
                d -> d.getMetadata().getLabels().get(ResourceNames.LABEL_VERSION),
                Function.identity(),
                (a, b) -> a));
  }

  static boolean sameJson(Object a, Object b) {
    return Objects.equals(JSON.valueToTree(a), JSON.valueToTree(b));
  }

  private static String name(ModelDeployment md) {
    return md.getMetadata().getName();
  }

  private static String namespace(ModelDeployment md) {
    return md.getMetadata().getNamespace();
  }
}
