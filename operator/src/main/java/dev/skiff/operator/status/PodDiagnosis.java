package dev.skiff.operator.status;

import dev.skiff.api.contract.TerminationMessage;
import dev.skiff.operator.spec.ResourceNames;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Why a version is not ready, from its Deployment and pods: the model fetcher's termination message
 * first (it names the real cause, e.g. {@code ChecksumMismatch: ...}), then the model server's
 * ({@code ModelLoadFailed: ...}, from the container's current or last termination, so it stays
 * through CrashLoopBackOff and restarts), then containers that will not start, then scheduling,
 * then the Deployment's own conditions.
 *
 * @param reason CamelCase: one of {@link Reason}'s, or the one Kubernetes reported on the pod
 * @param message what to tell the user
 * @param failed whether it will not get better by waiting
 */
public record PodDiagnosis(String reason, String message, boolean failed) {

  /** Container waiting reasons that will not fix themselves. */
  private static final Set<String> FAILED_WAITING =
      Set.of(
          "CrashLoopBackOff",
          "ImagePullBackOff",
          "ErrImagePull",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError");

  private static PodDiagnosis ours(Reason reason, String message, boolean failed) {
    return new PodDiagnosis(reason.text(), message, failed);
  }

  /** Whether this is the plain "still rolling out" diagnosis. */
  public boolean rollingOut() {
    return reason.equals(Reason.ROLLING_OUT.text());
  }

  /** The most telling reason a version is not ready, looking at its Deployment and pods. */
  public static PodDiagnosis of(Deployment deployment, List<Pod> pods) {
    if (deployment == null) {
      return ours(Reason.CREATING, "waiting for the Deployment to be created", false);
    }
    for (Pod pod : pods) {
      Optional<PodDiagnosis> d = fetchFailure(pod);
      if (d.isPresent()) {
        return d.get();
      }
    }
    for (Pod pod : pods) {
      Optional<PodDiagnosis> d = containerFailure(pod);
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
          return new PodDiagnosis(c.getReason(), c.getMessage(), true);
        }
      }
    }
    List<DeploymentCondition> conditions =
        deployment.getStatus() == null || deployment.getStatus().getConditions() == null
            ? List.of()
            : deployment.getStatus().getConditions();
    for (DeploymentCondition c : conditions) {
      if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
        return new PodDiagnosis(c.getType(), c.getMessage(), true);
      }
      if ("Progressing".equals(c.getType())
          && "False".equals(c.getStatus())
          && "ProgressDeadlineExceeded".equals(c.getReason())) {
        return new PodDiagnosis(c.getReason(), c.getMessage(), true);
      }
    }
    return ours(Reason.ROLLING_OUT, "waiting for replicas to become ready", false);
  }

  /** The init container's termination message, e.g. {@code NotFound: ...}, as the message. */
  private static Optional<PodDiagnosis> fetchFailure(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getInitContainerStatuses() == null) {
      return Optional.empty();
    }
    for (ContainerStatus cs : pod.getStatus().getInitContainerStatuses()) {
      if (!ResourceNames.FETCH_CONTAINER.equals(cs.getName())) {
        continue;
      }
      ContainerStateTerminated t = lastTermination(cs);
      if (t != null && t.getExitCode() != null && t.getExitCode() != 0) {
        String message = t.getMessage() != null ? t.getMessage().strip() : null;
        if (message == null || message.isEmpty()) {
          message =
              "exit code " + t.getExitCode() + (t.getReason() == null ? "" : " " + t.getReason());
        }
        return Optional.of(ours(Reason.MODEL_FETCH_FAILED, message, true));
      }
      if (cs.getState() != null
          && cs.getState().getWaiting() != null
          && FAILED_WAITING.contains(cs.getState().getWaiting().getReason())) {
        return Optional.of(
            new PodDiagnosis(
                cs.getState().getWaiting().getReason(),
                cs.getState().getWaiting().getMessage(),
                true));
      }
    }
    return Optional.empty();
  }

  private static Optional<PodDiagnosis> containerFailure(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
      Optional<PodDiagnosis> loadFailure = modelLoadFailure(cs);
      if (loadFailure.isPresent()) {
        return loadFailure;
      }
      if (cs.getState() != null
          && cs.getState().getWaiting() != null
          && FAILED_WAITING.contains(cs.getState().getWaiting().getReason())) {
        String message = cs.getState().getWaiting().getMessage();
        if (cs.getLastState() != null
            && cs.getLastState().getTerminated() != null
            && cs.getLastState().getTerminated().getMessage() != null) {
          message = cs.getLastState().getTerminated().getMessage().strip();
        }
        return Optional.of(new PodDiagnosis(cs.getState().getWaiting().getReason(), message, true));
      }
    }
    return Optional.empty();
  }

  /**
   * The model server's {@code ModelLoadFailed: <detail>} termination message ({@code serve
   * --exit-on-load-failure}), as reason ModelLoadFailed with the detail as the message; while the
   * container runs again after a restart and is not ready, the last termination still says why.
   */
  private static Optional<PodDiagnosis> modelLoadFailure(ContainerStatus cs) {
    if (!ResourceNames.SERVER_CONTAINER.equals(cs.getName())
        || Boolean.TRUE.equals(cs.getReady())) {
      return Optional.empty();
    }
    ContainerStateTerminated t = lastTermination(cs);
    if (t == null || t.getMessage() == null) {
      return Optional.empty();
    }
    return TerminationMessage.reason(t.getMessage())
        .filter(TerminationMessage.MODEL_LOAD_FAILED::equals)
        .map(r -> ours(Reason.MODEL_LOAD_FAILED, TerminationMessage.detail(t.getMessage()), true));
  }

  /** The container's termination now, else its previous one (null when it never terminated). */
  private static ContainerStateTerminated lastTermination(ContainerStatus cs) {
    if (cs.getState() != null && cs.getState().getTerminated() != null) {
      return cs.getState().getTerminated();
    }
    return cs.getLastState() == null ? null : cs.getLastState().getTerminated();
  }
}
