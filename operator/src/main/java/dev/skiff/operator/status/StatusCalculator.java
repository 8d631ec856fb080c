package dev.skiff.operator.status;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelDeploymentStatus;
import dev.skiff.api.v1alpha1.ModelVersion;
import dev.skiff.api.v1alpha1.VersionStatus;
import dev.skiff.operator.spec.ResourceNames;
import dev.skiff.operator.spec.Versions;
import dev.skiff.operator.traffic.TrafficPlan;
import dev.skiff.operator.traffic.TrafficPlan.RoutedVersion;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Derives the status from what the cluster reports: per-version readiness from each Deployment
 * (with the {@link PodDiagnosis} of a version that is not ready) and the digest its ready pods
 * fetched ({@link ServedDigests}), the Ready, Progressing and Degraded conditions, the traffic part
 * from {@link TrafficStatus} and ScalingReady from {@link ScalingStatus}.
 */
public final class StatusCalculator {

  private static final int MAX_MESSAGE = 1024;

  private StatusCalculator() {}

  public static ModelDeploymentStatus compute(
      ModelDeployment md,
      Map<String, Deployment> deployments,
      List<Pod> pods,
      List<HorizontalPodAutoscaler> autoscalers,
      TrafficPlan plan,
      Instant now) {
    long generation = Objects.requireNonNullElse(md.getMetadata().getGeneration(), 0L);
    List<Condition> previous = md.getStatus() == null ? null : md.getStatus().getConditions();

    List<VersionStatus> versions = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    Map<String, RoutedVersion> routed =
        plan.versions().stream().collect(Collectors.toMap(RoutedVersion::name, v -> v));
    for (ModelVersion version : Versions.of(md)) {
      VersionStatus vs = versionStatus(md, version, deployments.get(version.getName()), pods);
      RoutedVersion r = routed.get(version.getName());
      if (r != null) {
        vs.setEffectiveWeight(r.effectiveWeight());
      }
      versions.add(vs);
      if (!Boolean.TRUE.equals(vs.getReady())) {
        String line = version.getName() + ": " + vs.getReason() + ": " + vs.getMessage();
        boolean failed =
            PodDiagnosis.of(deployments.get(version.getName()), podsOf(pods, version.getName()))
                .failed();
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
            ConditionType.READY,
            allReady,
            allReady ? Reason.ALL_VERSIONS_READY : Reason.VERSIONS_NOT_READY,
            allReady
                ? ready + "/" + total + " versions ready"
                : truncate(ready + "/" + total + " versions ready; " + String.join("; ", notReady)),
            generation,
            previous,
            now));
    conditions.add(
        Conditions.of(
            ConditionType.PROGRESSING,
            !pending.isEmpty(),
            !pending.isEmpty()
                ? Reason.ROLLING_OUT
                : failures.isEmpty() ? Reason.ROLLOUT_COMPLETE : Reason.ROLLOUT_STALLED,
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
            ConditionType.DEGRADED,
            !failures.isEmpty(),
            failures.isEmpty() ? Reason.AS_EXPECTED : Reason.VERSION_FAILED,
            failures.isEmpty() ? "no version has failed" : truncate(String.join("; ", failures)),
            generation,
            previous,
            now));
    conditions.add(TrafficStatus.condition(md, plan, generation, previous, now));
    conditions.add(ScalingStatus.condition(md, autoscalers, generation, previous, now));
    for (RoutedVersion r : plan.versions()) {
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
  private static VersionStatus drainingStatus(RoutedVersion r, Deployment deployment) {
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
    vs.setReason(Reason.DRAINING.text());
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
                ConditionType.READY,
                false,
                Reason.INVALID_SPEC,
                message,
                generation,
                previous,
                now),
            Conditions.of(
                ConditionType.PROGRESSING,
                false,
                Reason.INVALID_SPEC,
                message,
                generation,
                previous,
                now),
            Conditions.of(
                ConditionType.DEGRADED,
                true,
                Reason.INVALID_SPEC,
                message,
                generation,
                previous,
                now)));
    status.setVersions(old == null ? null : old.getVersions());
    // An invalid spec creates nothing: only what an earlier valid spec made (and still serves) is
    // reported, never the invalid spec's own traffic or a URL that has no Service behind it.
    status.setTraffic(null);
    status.setUrl(old == null || old.getRouting() == null ? null : old.getUrl());
    if (old != null) {
      status.setTraffic(old.getTraffic());
      status.setRouting(old.getRouting());
      Conditions.find(previous, ConditionType.TRAFFIC_READY)
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
    List<Pod> versionPods = podsOf(pods, version.getName());
    ServedDigests digests = ServedDigests.of(versionPods);
    vs.setDigest(digests.digest().orElse(null));
    if (ready && digests.mixed()) {
      vs.setReason(Reason.MIXED_DIGESTS.text());
      vs.setMessage(truncate(digests.mixedMessage()));
    }
    if (!ready) {
      PodDiagnosis d = PodDiagnosis.of(deployment, versionPods);
      if (d.rollingOut()) {
        d =
            new PodDiagnosis(
                d.reason(),
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

  private static String truncate(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE - 3) + "...";
  }
}
