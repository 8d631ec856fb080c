package dev.skiff.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.contract.TerminationMessage;
import dev.skiff.operator.spec.ResourceNames;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServedDigestsTest {

  static final String A = "a".repeat(64);
  static final String B = "b".repeat(64);

  /** A pod of version v1 whose fetcher reported {@code sha256} (null: still fetching). */
  static Pod pod(String name, String created, boolean ready, String sha256) {
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withCreationTimestamp(created)
            .addToLabels(ResourceNames.LABEL_VERSION, "v1")
            .endMetadata()
            .withNewStatus()
            .addNewCondition()
            .withType("Ready")
            .withStatus(ready ? "True" : "False")
            .endCondition()
            .endStatus();
    if (sha256 != null) {
      pod.editStatus()
          .addNewInitContainerStatus()
          .withName(ResourceNames.FETCH_CONTAINER)
          .withNewState()
          .withNewTerminated()
          .withExitCode(0)
          .withReason("Completed")
          .withMessage(
              TerminationMessage.fetched("model.onnx", 42, sha256, false, "/models/iris/v1") + "\n")
          .endTerminated()
          .endState()
          .endInitContainerStatus()
          .endStatus();
    }
    return pod.build();
  }

  @Test
  void theDigestIsWhatTheReadyPodsFetched() {
    ServedDigests d =
        ServedDigests.of(
            List.of(
                pod("p1", "2026-12-04T10:00:00Z", true, A),
                pod("p2", "2026-12-04T10:00:01Z", true, A),
                pod("p3", "2026-12-04T10:00:02Z", false, B)));
    assertThat(d.digest()).contains("sha256:" + A);
    assertThat(d.mixed()).isFalse();
  }

  @Test
  void noReadyPodNoDigest() {
    assertThat(ServedDigests.of(List.of(pod("p1", "2026-12-04T10:00:00Z", false, A))).digest())
        .isEmpty();
    assertThat(ServedDigests.of(List.of()).digest()).isEmpty();
  }

  @Test
  void podsThatFetchedDifferentContentAreReportedNewestFirst() {
    ServedDigests d =
        ServedDigests.of(
            List.of(
                pod("p1", "2026-12-04T10:00:00Z", true, A),
                pod("p2", "2026-12-04T10:00:05Z", true, A),
                pod("p3", "2026-12-04T10:10:00Z", true, B)));
    assertThat(d.digest()).contains("sha256:" + B);
    assertThat(d.mixed()).isTrue();
    assertThat(d.mixedMessage())
        .isEqualTo(
            "ready pods serve different downloads of the same URI: sha256:"
                + B
                + " (newest, 1 pod), sha256:"
                + A
                + " (2 pods); pin spec.versions[].sha256 to serve one");
  }
}
