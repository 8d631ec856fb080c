package dev.skiff.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.operator.spec.ResourceNames;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The model server's termination message names why a version will not become ready. */
class PodDiagnosisTest {

  private static final String MISMATCH =
      "ModelLoadFailed: model 'iris' version 'v1': input 'input' is declared FP32 [-1, 5] but the"
          + " model file has FP32 [-1, 4]\n";
  private static final Deployment DEPLOYMENT =
      new DeploymentBuilder().withNewMetadata().withName("iris-v1").endMetadata().build();

  private static Pod pod(ContainerStatus server) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("iris-v1-abc")
        .endMetadata()
        .withNewStatus()
        .withPhase("Running")
        .withContainerStatuses(server)
        .endStatus()
        .build();
  }

  private static ContainerStatusBuilder server() {
    return new ContainerStatusBuilder()
        .withName(ResourceNames.SERVER_CONTAINER)
        .withReady(false)
        .withRestartCount(0);
  }

  @Test
  void justTerminatedWithTheRuntimesLineIsModelLoadFailed() {
    ContainerStatus terminated =
        server()
            .withNewState()
            .withNewTerminated()
            .withExitCode(1)
            .withReason("Error")
            .withMessage(MISMATCH)
            .endTerminated()
            .endState()
            .build();
    PodDiagnosis d = PodDiagnosis.of(DEPLOYMENT, List.of(pod(terminated)));
    assertThat(d.reason()).isEqualTo("ModelLoadFailed");
    assertThat(d.message())
        .isEqualTo(
            "model 'iris' version 'v1': input 'input' is declared FP32 [-1, 5] but the model file"
                + " has FP32 [-1, 4]");
    assertThat(d.failed()).isTrue();
  }

  @Test
  void crashLoopBackOffKeepsTheMessageOfTheLastTermination() {
    ContainerStatus waiting =
        server()
            .withRestartCount(3)
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .withMessage("back-off 40s restarting failed container")
            .endWaiting()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withExitCode(1)
            .withMessage(MISMATCH)
            .endTerminated()
            .endLastState()
            .build();
    PodDiagnosis d = PodDiagnosis.of(DEPLOYMENT, List.of(pod(waiting)));
    assertThat(d.reason()).isEqualTo("ModelLoadFailed");
    assertThat(d.message()).startsWith("model 'iris' version 'v1': input 'input'");
  }

  @Test
  void restartedAndLoadingAgainStillSaysWhyTheLastRunEnded() {
    ContainerStatus running =
        server()
            .withRestartCount(1)
            .withNewState()
            .withNewRunning()
            .withStartedAt("2026-12-04T10:00:00Z")
            .endRunning()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withExitCode(1)
            .withMessage(MISMATCH)
            .endTerminated()
            .endLastState()
            .build();
    assertThat(PodDiagnosis.of(DEPLOYMENT, List.of(pod(running))).reason())
        .isEqualTo("ModelLoadFailed");
    // once ready again, the old termination is history
    ContainerStatus ready = new ContainerStatusBuilder(running).withReady(true).build();
    assertThat(PodDiagnosis.of(DEPLOYMENT, List.of(pod(ready))).rollingOut()).isTrue();
  }

  @Test
  void aCrashWithoutTheRuntimesLineStaysCrashLoopBackOffWithTheLogTail() {
    ContainerStatus oom =
        server()
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .endWaiting()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withExitCode(3)
            .withMessage("Terminating due to java.lang.OutOfMemoryError: Java heap space\n")
            .endTerminated()
            .endLastState()
            .build();
    PodDiagnosis d = PodDiagnosis.of(DEPLOYMENT, List.of(pod(oom)));
    assertThat(d.reason()).isEqualTo("CrashLoopBackOff");
    assertThat(d.message())
        .isEqualTo("Terminating due to java.lang.OutOfMemoryError: Java heap space");
  }
}
