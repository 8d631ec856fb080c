package dev.skiff.runtime.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import com.robothy.s3.rest.LocalS3;
import com.robothy.s3.rest.bootstrap.LocalS3Mode;
import dev.skiff.runtime.Main;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code fetch s3://…} against a real S3-compatible server (LocalS3, in this JVM, on 127.0.0.1)
 * through the command line, so the endpoint override, path-style addressing and the standard
 * credential chain are the ones a pod uses.
 */
class FetchS3IT {
  private static final String[] CREDENTIAL_PROPERTIES = {
    "aws.accessKeyId", "aws.secretAccessKey", "aws.disableEc2Metadata"
  };
  private static LocalS3 s3;
  private static URI endpoint;
  private static byte[] model;

  @TempDir Path tmp;

  @BeforeAll
  static void startS3() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    s3 = LocalS3.builder().port(port).mode(LocalS3Mode.IN_MEMORY).build();
    s3.start();
    endpoint = URI.create("http://127.0.0.1:" + port);
    // what the pod's environment would carry (AWS_ACCESS_KEY_ID…), as system properties, which
    // come first in the same default chain; never let the chain probe the metadata endpoint
    System.setProperty("aws.accessKeyId", "skiff-test");
    System.setProperty("aws.secretAccessKey", "skiff-test-secret");
    System.setProperty("aws.disableEc2Metadata", "true");
    model = new byte[300_000];
    new Random(42).nextBytes(model);
    try (S3Client client =
        S3Client.builder()
            .endpointOverride(endpoint)
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create("skiff-test", "skiff-test-secret")))
            .build()) {
      client.createBucket(b -> b.bucket("models"));
      client.putObject(
          b -> b.bucket("models").key("iris/v1/model.onnx"), RequestBody.fromBytes(model));
    }
  }

  @AfterAll
  static void stopS3() {
    for (String property : CREDENTIAL_PROPERTIES) {
      System.clearProperty(property);
    }
    if (s3 != null) {
      s3.shutdown();
    }
  }

  private int fetch(String uri, Path dest, Path log, String... extra) {
    String[] base = {
      "fetch",
      uri,
      dest.toString(),
      "--s3-endpoint",
      endpoint.toString(),
      "--retry-backoff",
      "10ms",
      "--termination-log",
      log.toString()
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return Main.run(args, System.out, System.err);
  }

  @Test
  void objectIsFetchedWithExactBytesAndChecksum() throws Exception {
    Path dest = tmp.resolve("repo/iris/v1");
    Path log = tmp.resolve("termination-log");
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
    int exit = fetch("s3://models/iris/v1/model.onnx", dest, log, "--sha256", sha);
    assertThat(exit).as(Files.exists(log) ? Files.readString(log) : "no log").isZero();
    assertThat(dest.resolve("model.onnx")).hasBinaryContent(model);
    assertThat(Files.readString(log)).contains("sha256 " + sha);
  }

  @Test
  void missingKeyIsNotFound() throws IOException {
    Path dest = tmp.resolve("repo/iris/v2");
    Path log = tmp.resolve("termination-log");
    assertThat(fetch("s3://models/iris/v2/model.onnx", dest, log)).isEqualTo(10);
    assertThat(Files.readString(log)).startsWith("NotFound: s3://models/iris/v2/model.onnx");
    assertThat(fetch("s3://no-such-bucket/model.onnx", dest, log)).isEqualTo(10);
    assertThat(dest).doesNotExist();
  }

  @Test
  void wrongChecksumFromS3LeavesNothing() throws IOException {
    Path dest = tmp.resolve("repo/iris/v3");
    Path log = tmp.resolve("termination-log");
    assertThat(fetch("s3://models/iris/v1/model.onnx", dest, log, "--sha256", "0".repeat(64)))
        .isEqualTo(11);
    assertThat(dest).doesNotExist();
    try (var left = Files.list(dest.getParent())) {
      assertThat(left).isEmpty();
    }
  }
}
