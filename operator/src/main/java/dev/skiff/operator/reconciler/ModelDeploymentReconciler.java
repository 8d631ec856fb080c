package dev.skiff.operator.reconciler;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelDeploymentStatus;
import dev.skiff.operator.desired.DesiredState;
import dev.skiff.operator.desired.ResourceNames;
import dev.skiff.operator.desired.RuntimeDefaults;
import dev.skiff.operator.desired.SpecValidator;
import dev.skiff.operator.desired.StatusCalculator;
import dev.skiff.operator.desired.StatusCalculator.TransitionEvent;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
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
 * Reconciles a ModelDeployment: validates what CEL cannot, runs the workflow of dependents with the
 * desired state computed once, then derives the status from the cluster and patches it only when it
 * changed. Invalid specs become Ready=False plus a Warning Event, with no retry loop: the next
 * reconcile comes from the next spec change.
 */
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(name = "settings", type = SettingsConfigMapDependent.class),
      @Dependent(name = "deployments", type = DeploymentDependent.class, dependsOn = "settings"),
      @Dependent(name = "version-services", type = VersionServiceDependent.class),
      @Dependent(name = "autoscalers", type = AutoscalerDependent.class, dependsOn = "deployments"),
      @Dependent(name = "stable-service", type = StableServiceDependent.class)
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

  public ModelDeploymentReconciler(RuntimeDefaults defaults) {
    this(defaults, Clock.systemUTC());
  }

  ModelDeploymentReconciler(RuntimeDefaults defaults, Clock clock) {
    this.defaults = defaults;
    this.clock = clock;
  }

  /** Pods are watched too: an init container's fetch failure is only visible on the pod. */
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
    Optional<String> problem = SpecValidator.validate(md);
    if (problem.isPresent()) {
      LOG.info("{}/{} is invalid: {}", namespace(md), name(md), problem.get());
      next = StatusCalculator.invalid(md, problem.get(), clock.instant());
    } else {
      var workflow = context.managedWorkflowAndDependentResourceContext();
      workflow.put(DesiredState.class, DesiredState.of(md, defaults));
      workflow.reconcileManagedWorkflow();
      Map<String, Deployment> deployments =
          context
              .getSecondaryResourcesAsStream(Deployment.class)
              .filter(d -> d.getMetadata().getLabels() != null)
              .filter(
                  d ->
                      name(md)
                          .equals(d.getMetadata().getLabels().get(ResourceNames.LABEL_INSTANCE)))
              .filter(d -> d.getMetadata().getLabels().containsKey(ResourceNames.LABEL_VERSION))
              .collect(
                  Collectors.toMap(
                      d -> d.getMetadata().getLabels().get(ResourceNames.LABEL_VERSION),
                      Function.identity(),
                      (a, b) -> a));
      List<Pod> pods =
          context
              .eventSourceRetriever()
              .getEventSourceFor(Pod.class, PODS_EVENT_SOURCE)
              .getSecondaryResources(md)
              .stream()
              .toList();
      next = StatusCalculator.compute(md, deployments, pods, clock.instant());
    }

    if (sameJson(md.getStatus(), next)) {
      return UpdateControl.noUpdate();
    }
    EventRecorder events = new EventRecorder(context.getClient());
    for (TransitionEvent e : StatusCalculator.transitions(md.getStatus(), next)) {
      events.record(md, e.type(), e.reason(), e.message());
    }
    ModelDeployment patch = new ModelDeployment();
    patch.setMetadata(
        new ObjectMetaBuilder().withName(name(md)).withNamespace(namespace(md)).build());
    patch.setStatus(next);
    return UpdateControl.patchStatus(patch);
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
