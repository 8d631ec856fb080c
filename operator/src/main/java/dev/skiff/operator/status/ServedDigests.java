package dev.skiff.operator.status;

import dev.skiff.api.contract.TerminationMessage;
import dev.skiff.operator.spec.ResourceNames;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a version's ready pods serve: the {@code sha256:<hex>} each pod's fetch init container
 * reported in its termination message ({@link TerminationMessage#fetched}), whether or not the spec
 * pinned one. Pods fetch on their own, so a URI whose content changed between two pods' starts
 * gives two digests; then the newest pod's is the version's and {@link #mixed()} says so.
 *
 * @param digest the newest ready pod's digest; empty when no ready pod reported one
 * @param podsByDigest how many ready pods serve each digest, the newest pod's first
 */
public record ServedDigests(Optional<String> digest, Map<String, Long> podsByDigest) {

  /** The digests of {@code pods} (one version's) that are ready and not being deleted. */
  public static ServedDigests of(List<Pod> pods) {
    List<Map.Entry<Pod, String>> served =
        pods.stream()
            .filter(ServedDigests::ready)
            .sorted(Comparator.comparing(ServedDigests::created).reversed())
            .map(p -> fetchedDigest(p).map(d -> Map.entry(p, d)))
            .flatMap(Optional::stream)
            .toList();
    Map<String, Long> counts =
        served.stream()
            .collect(
                Collectors.groupingBy(
                    Map.Entry::getValue, LinkedHashMap::new, Collectors.counting()));
    return new ServedDigests(served.stream().findFirst().map(Map.Entry::getValue), counts);
  }

  /** Whether the ready pods serve different content. */
  public boolean mixed() {
    return podsByDigest.size() > 1;
  }

  /** e.g. {@code ready pods serve different downloads: sha256:ab.. (newest, 1 pod), ...}. */
  public String mixedMessage() {
    StringBuilder message =
        new StringBuilder("ready pods serve different downloads of the same URI: ");
    boolean first = true;
    for (Map.Entry<String, Long> e : podsByDigest.entrySet()) {
      message
          .append(first ? "" : ", ")
          .append(e.getKey())
          .append(" (")
          .append(first ? "newest, " : "")
          .append(e.getValue())
          .append(e.getValue() == 1 ? " pod)" : " pods)");
      first = false;
    }
    return message.append("; pin spec.versions[].sha256 to serve one").toString();
  }

  private static Optional<String> fetchedDigest(Pod pod) {
    List<ContainerStatus> inits = pod.getStatus().getInitContainerStatuses();
    return (inits == null ? List.<ContainerStatus>of() : inits)
        .stream()
            .filter(cs -> ResourceNames.FETCH_CONTAINER.equals(cs.getName()))
            .map(cs -> cs.getState() == null ? null : cs.getState().getTerminated())
            .filter(Objects::nonNull)
            .map(t -> TerminationMessage.fetchedDigest(t.getMessage()))
            .flatMap(Optional::stream)
            .findFirst();
  }

  private static boolean ready(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null
        && pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** RFC 3339 in UTC sorts as text; the name breaks ties so the choice is stable. */
  private static String created(Pod pod) {
    return Objects.requireNonNullElse(pod.getMetadata().getCreationTimestamp(), "")
        + pod.getMetadata().getName();
  }
}
