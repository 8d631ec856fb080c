package dev.skiff.runtime.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs Python's tritonclient.grpc and the kserve SDK's InferenceGRPCClient (pytest,
 * src/test/python) against a live runtime serving the example models over V2 gRPC: metadata, typed
 * and raw contents, requested outputs, hostile requests with their gRPC status codes, the standard
 * health service, and bearer-token auth in metadata.
 */
class GrpcClientsIT {
  /** Small, so the over-limit case sends 1 MiB rather than the default's 32 MiB. */
  private static final long MAX_PAYLOAD_BYTES = 1024 * 1024;

  @Test
  void grpcClientsWorkUnchangedAndHostileCallsGetTheRightStatus() throws Exception {
    String output =
        PytestRun.run(
            Duration.ofMinutes(5),
            options -> options.grpcPort(0).maxPayloadBytes(MAX_PAYLOAD_BYTES),
            Map.of("SKIFF_MAX_MESSAGE", Long.toString(MAX_PAYLOAD_BYTES)),
            "test_grpc_clients.py");
    assertThat(output).contains("18 passed").doesNotContain("skipped");
  }

  /** Its own pytest process: kserve's and tritonclient's generated protos cannot share one. */
  @Test
  void kserveGrpcClientWorksUnchanged() throws Exception {
    String output =
        PytestRun.run(
            Duration.ofMinutes(3), options -> options.grpcPort(0), Map.of(), "test_grpc_kserve.py");
    assertThat(output).contains("1 passed");
  }

  @Test
  void grpcCallsNeedTheBearerTokenInMetadata() throws Exception {
    String token = "grpc-it-" + System.nanoTime();
    String output =
        PytestRun.run(
            Duration.ofMinutes(3),
            options -> options.grpcPort(0).authTokens(List.of(token)),
            Map.of("SKIFF_TOKEN", token),
            "test_grpc_auth.py");
    assertThat(output).contains("4 passed");
  }
}
