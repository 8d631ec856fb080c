package dev.skiff.operator.desired;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelDeploymentStatus;
import dev.skiff.api.v1alpha1.ModelVersion;
import dev.skiff.api.v1alpha1.VersionStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Derives the status from what the cluster reports: per-version readiness from each Deployment, and
 * when a version is not ready, the most telling reason found on its pods (the model fetcher's
 * termination message first).
 */
public final class StatusCalculator {

  /** Container waiting reasons that will not fix themselves. */
  private static final Set<String> FAILED_WAITING =
      Set.of(
          "CrashLoopBackOff",
          "ImagePullBackOff",
          "ErrImagePull",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError");

  private static final int MAX_MESSAGE = 1024;

  private StatusCalculator() {}

  /** Why a version is not ready; failed means it will not get better by waiting. */
  public record Diagnosis(String reason, String message, boolean failed) {}

  public static ModelDeploymentStatus compute(
      ModelDeployment md,
      Map<String, Deployment> deployments,
      List<Pod> pods,
      TrafficPlan plan,
      Instant now) {
    long generation = Objects.requireNonNullElse(md.getMetadata().getGeneration(), 0L);
    List<Condition> previous = md.getStatus() == null ? null : md.getStatus().getConditions();

    List<VersionStatus> versions = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    Map<String, TrafficPlan.RoutedVersion> routed =
        plan.versions().stream().collect(Collectors.toMap(TrafficPlan.RoutedVersion::name, v -> v));
    for (ModelVersion version : Versions.of(md)) {
      VersionStatus vs = versionStatus(md, version, deployments.get(version.getName()), pods);
      TrafficPlan.RoutedVersion r = routed.get(version.getName());
      if (r != null) {
        vs.setEffectiveWeight(r.effectiveWeight());
      }
      versions.add(vs);
      if (!Boolean.TRUE.equals(vs.getReady())) {
        String line = version.getName() + ": " + vs.getReason() + ": " + vs.getMessage();
        boolean failed =
            diagnose(deployments.get(version.getName()), podsOf(pods, version.getName())).failed();
        (failed ? failures : pending).add(line);
      }
    }
    int total = versions.size();
    int ready = total - failures.size() - pending.size();
    boolean allReady = failures.isEmpty() && pending.isEmpty() && total > 0;

    List<Condition> conditions = new ArrayList<>();
    List<String> notReady = new ArrayList<>(failures);
    notReady.addAll(pending);
    conditions.add(
        Conditions.of(
            Conditions.READY,
            allReady,
            allReady ? "AllVersionsReady" : "VersionsNotReady",
            allReady
                ? ready + "/" + total + " versions ready"
                : truncate(ready + "/" + total + " versions ready; " + String.join("; ", notReady)),
            generation,
            previous,
            now));
    conditions.add(
        Conditions.of(
            Conditions.PROGRESSING,
            !pending.isEmpty(),
            !pending.isEmpty()
                ? "RollingOut"
                : failures.isEmpty() ? "RolloutComplete" : "RolloutStalled",
            !pending.isEmpty()
                ? truncate(String.join("; ", pending))
                : failures.isEmpty()
                    ? "every version is rolled out"
                    : "no version is progressing; see Degraded",
            generation,
            previous,
            now));
    conditions.add(
        Conditions.of(
            Conditions.DEGRADED,
            !failures.isEmpty(),
            failures.isEmpty() ? "AsExpected" : "VersionFailed",
            failures.isEmpty() ? "no version has failed" : truncate(String.join("; ", failures)),
            generation,
            previous,
            now));
    conditions.add(TrafficStatus.condition(md, plan, generation, previous, now));
    for (TrafficPlan.RoutedVersion r : plan.versions()) {
      if (r.draining()) {
        versions.add(drainingStatus(r, deployments.get(r.name())));
      }
    }

    ModelDeploymentStatus status = base(md, generation);
    status.setTraffic(TrafficStatus.column(plan));
    status.setRouting(plan.routing().display());
    status.setConditions(conditions);
    status.setVersions(versions);
    return status;
  }

  /** A removed version that still runs with weight 0. */
  private static VersionStatus drainingStatus(TrafficPlan.RoutedVersion r, Deployment deployment) {
    VersionStatus vs = new VersionStatus();
    vs.setName(r.name());
    DeploymentStatus ds = deployment == null ? null : deployment.getStatus();
    vs.setDesiredReplicas(
        deployment == null || deployment.getSpec().getReplicas() == null
            ? 0
            : deployment.getSpec().getReplicas());
    vs.setReadyReplicas(ds == null ? 0 : Objects.requireNonNullElse(ds.getReadyReplicas(), 0));
    vs.setReady(r.ready());
    vs.setDeclaredWeight(0);
    vs.setEffectiveWeight(r.effectiveWeight());
    vs.setDraining(true);
    vs.setDrainingSince(r.drainingSince() == null ? null : r.drainingSince().toString());
    vs.setReason("Draining");
    vs.setMessage(
        r.drainingSince() == null
            ? "removed from the spec; serving until another version is ready"
            : "removed from the spec; weight 0 since " + r.drainingSince());
    return vs;
  }

  /** Status for a spec the operator refuses: Ready=False, Degraded=True, reason InvalidSpec. */
  public static ModelDeploymentStatus invalid(ModelDeployment md, String problem, Instant now) {
    long generation = Objects.requireNonNullElse(md.getMetadata().getGeneration(), 0L);
    ModelDeploymentStatus old = md.getStatus();
    List<Condition> previous = old == null ? null : old.getConditions();
    String message = truncate(problem);
    ModelDeploymentStatus status = base(md, generation);
    status.setConditions(
        List.of(
            Conditions.of(
                Conditions.READY, false, "InvalidSpec", message, generation, previous, now),
            Conditions.of(
                Conditions.PROGRESSING, false, "InvalidSpec", message, generation, previous, now),
            Conditions.of(
                Conditions.DEGRADED, true, "InvalidSpec", message, generation, previous, now)));
    status.setVersions(old == null ? null : old.getVersions());
    if (old != null) {
      status.setTraffic(old.getTraffic());
      status.setRouting(old.getRouting());
      Conditions.find(previous, Conditions.TRAFFIC_READY)
          .ifPresent(
              c -> {
                List<Condition> all = new ArrayList<>(status.getConditions());
                all.add(c);
                status.setConditions(all);
              });
    }
    return status;
  }

  private static ModelDeploymentStatus base(ModelDeployment md, long generation) {
    ModelDeploymentStatus status = new ModelDeploymentStatus();
    status.setObservedGeneration(generation);
    status.setModel(ResourceNames.modelName(md));
    status.setUrl(ResourceNames.url(md));
    List<ModelVersion> versions = Versions.of(md);
    status.setVersionNames(
        versions.stream().map(ModelVersion::getName).collect(Collectors.joining(",")));
    status.setTraffic(
        versions.stream()
            .map(v -> v.getName() + "=" + Versions.weight(md, v))
            .collect(Collectors.joining(",")));
    return status;
  }

  static VersionStatus versionStatus(
      ModelDeployment md, ModelVersion version, Deployment deployment, List<Pod> pods) {
    VersionStatus vs = new VersionStatus();
    vs.setName(version.getName());
    vs.setDeclaredWeight(Versions.weight(md, version));
    int desired = desiredReplicas(md, version, deployment);
    DeploymentStatus ds = deployment == null ? null : deployment.getStatus();
    int readyReplicas = ds == null ? 0 : Objects.requireNonNullElse(ds.getReadyReplicas(), 0);
    int updated = ds == null ? 0 : Objects.requireNonNullElse(ds.getUpdatedReplicas(), 0);
    boolean observed =
        deployment != null
            && ds != null
            && Objects.requireNonNullElse(ds.getObservedGeneration(), 0L)
                >= Objects.requireNonNullElse(deployment.getMetadata().getGeneration(), 0L);
    vs.setDesiredReplicas(desired);
    vs.setReadyReplicas(readyReplicas);
    boolean ready = observed && updated >= desired && readyReplicas >= desired;
    vs.setReady(ready);
    if (!ready) {
      Diagnosis d = diagnose(deployment, podsOf(pods, version.getName()));
      if (d.reason().equals("RollingOut")) {
        d =
            new Diagnosis(
                "RollingOut",
                readyReplicas + "/" + desired + " replicas ready, " + updated + " up to date",
                false);
      }
      vs.setReason(d.reason());
      vs.setMessage(truncate(d.message()));
    }
    return vs;
  }

  private static int desiredReplicas(
      ModelDeployment md, ModelVersion version, Deployment deployment) {
    if (!Versions.autoscaled(version)) {
      return version.getReplicas();
    }
    if (deployment != null && deployment.getSpec().getReplicas() != null) {
      return deployment.getSpec().getReplicas();
    }
    return Versions.autoscaling(md, version).getMinReplicas();
  }

  static List<Pod> podsOf(List<Pod> pods, String version) {
    return pods.stream()
        .filter(
            p ->
                p.getMetadata().getLabels() != null
                    && version.equals(p.getMetadata().getLabels().get(ResourceNames.LABEL_VERSION)))
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .toList();
  }

  /** The most telling reason a version is not ready, looking at its Deployment and pods. */
  public static Diagnosis diagnose(Deployment deployment, List<Pod> pods) {
    if (deployment == null) {
      return new Diagnosis("Creating", "waiting for the Deployment to be created", false);
    }
    for (Pod pod : pods) {
      Optional<Diagnosis> d = fetchFailure(pod);
      if (d.isPresent()) {
        return d.get();
      }
    }
    for (Pod pod : pods) {
      Optional<Diagnosis> d = containerFailure(pod);
      if (d.isPresent()) {
        return d.get();
      }
    }
    for (Pod pod : pods) {
      if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
        continue;
      }
      for (PodCondition c : pod.getStatus().getConditions()) {
        if ("PodScheduled".equals(c.getType())
            && "False".equals(c.getStatus())
            && "Unschedulable".equals(c.getReason())) {
          return new Diagnosis("Unschedulable", c.getMessage(), true);
        }
      }
    }
    List<DeploymentCondition> conditions =
        deployment.getStatus() == null || deployment.getStatus().getConditions() == null
            ? List.of()
            : deployment.getStatus().getConditions();
    for (DeploymentCondition c : conditions) {
      if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
        return new Diagnosis("ReplicaFailure", c.getMessage(), true);
      }
      if ("Progressing".equals(c.getType())
          && "False".equals(c.getStatus())
          && "ProgressDeadlineExceeded".equals(c.getReason())) {
        return new Diagnosis("ProgressDeadlineExceeded", c.getMessage(), true);
      }
    }
    return new Diagnosis("RollingOut", "waiting for replicas to become ready", false);
  }

  /** The init container's termination message, e.g. {@code NotFound: ...}, as the reason. */
  private static Optional<Diagnosis> fetchFailure(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getInitContainerStatuses() == null) {
      return Optional.empty();
    }
    for (ContainerStatus cs : pod.getStatus().getInitContainerStatuses()) {
      if (!RuntimeDeployments.FETCH_CONTAINER.equals(cs.getName())) {
        continue;
      }
      ContainerStateTerminated t =
          cs.getState() != null && cs.getState().getTerminated() != null
              ? cs.getState().getTerminated()
              : cs.getLastState() != null ? cs.getLastState().getTerminated() : null;
      if (t != null && t.getExitCode() != null && t.getExitCode() != 0) {
        String message = t.getMessage() != null ? t.getMessage().strip() : null;
        if (message == null || message.isEmpty()) {
          message =
              "exit code " + t.getExitCode() + (t.getReason() == null ? "" : " " + t.getReason());
        }
        return Optional.of(new Diagnosis("ModelFetchFailed", message, true));
      }
      if (cs.getState() != null
          && cs.getState().getWaiting() != null
          && FAILED_WAITING.contains(cs.getState().getWaiting().getReason())) {
        return Optional.of(
            new Diagnosis(
                cs.getState().getWaiting().getReason(),
                cs.getState().getWaiting().getMessage(),
                true));
      }
    }
    return Optional.empty();
  }

  private static Optional<Diagnosis> containerFailure(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
      if (cs.getState() != null
          && cs.getState().getWaiting() != null
          && FAILED_WAITING.contains(cs.getState().getWaiting().getReason())) {
        String message = cs.getState().getWaiting().getMessage();
        if (cs.getLastState() != null
            && cs.getLastState().getTerminated() != null
            && cs.getLastState().getTerminated().getMessage() != null) {
          message = cs.getLastState().getTerminated().getMessage().strip();
        }
        return Optional.of(new Diagnosis(cs.getState().getWaiting().getReason(), message, true));
      }
    }
    return Optional.empty();
  }

  /**
   * Condition changes worth an Event: {type, reason, message} for Ready and Degraded when their
   * status or reason changed. Warning when Ready turned False or Degraded turned True.
   */
  public static List<TransitionEvent> transitions(
      ModelDeploymentStatus before, ModelDeploymentStatus after) {
    List<Condition> old = before == null ? null : before.getConditions();
    List<TransitionEvent> events = new ArrayList<>();
    for (String type : List.of(Conditions.READY, Conditions.DEGRADED)) {
      Optional<Condition> next = Conditions.find(after.getConditions(), type);
      if (next.isEmpty()) {
        continue;
      }
      Optional<Condition> prev = Conditions.find(old, type);
      boolean changed =
          prev.isEmpty()
              || !Objects.equals(prev.get().getStatus(), next.get().getStatus())
              || !Objects.equals(prev.get().getReason(), next.get().getReason());
      if (!changed) {
        continue;
      }
      boolean warning =
          type.equals(Conditions.READY)
              ? !"True".equals(next.get().getStatus())
              : "True".equals(next.get().getStatus());
      if (prev.isEmpty() && !warning && type.equals(Conditions.DEGRADED)) {
        continue; // "not degraded" on the first reconcile is not news
      }
      if (prev.isEmpty() && warning && "VersionsNotReady".equals(next.get().getReason())) {
        continue; // just created: not ready yet is expected
      }
      events.add(
          new TransitionEvent(
              warning ? "Warning" : "Normal", next.get().getReason(), next.get().getMessage()));
    }
    return events;
  }

  /** An Event to record: type Normal or Warning, CamelCase reason, message. */
  public record TransitionEvent(String type, String reason, String message) {}

  private static String truncate(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE - 3) + "...";
  }
}
