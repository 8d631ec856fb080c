package dev.skiff.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.skiff.api.contract.ImageChoices;
import dev.skiff.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The API server refuses a bad value of every field of {@code schema.preprocess}, {@code
 * schema.postprocess}, {@code schema.limits}, a version's {@code schema}, {@code runtime.server}
 * and {@code feedback}, naming the field, with the message the CRD gives; and it accepts the image
 * and text examples, which the operator renders into model.yaml and serve options. The refusals are
 * written to {@code target/api-server-refusals.txt} (field, value, message) as the API server gave
 * them.
 */
class ServingSettingsValidationIT extends ClusterTestSupport {

  private static final String V1 = "versions: [{name: v1, uri: \"https://x/m.onnx\"}]";
  private static final String IMAGE_INPUT =
      "inputs: [{name: input, datatype: FP32, shape: [-1, 64]}]";
  private static final String TEXT_INPUTS =
      "inputs: [{name: input_ids, datatype: INT64, shape: [-1, -1]},"
          + " {name: attention_mask, datatype: INT64, shape: [-1, -1]}]";
  private static final Path REFUSALS = Path.of("target/api-server-refusals.txt");

  private final List<String> refusals = new ArrayList<>();

  /** title, spec lines after {@code versions}, the field the API server names, its message. */
  static Stream<Arguments> invalid() {
    return Stream.of(
        preprocess("size: [8]", "spec.schema.preprocess.size", "should have at least 2 items"),
        preprocess("size: [8, 8, 8]", "spec.schema.preprocess.size", "must have at most 2 items"),
        preprocess(
            "size: [8, 0]",
            "spec.schema.preprocess.size",
            "preprocess.size must be [height, width], each 1..8192"),
        preprocess(
            "size: [9000, 8]",
            "spec.schema.preprocess.size",
            "preprocess.size must be [height, width], each 1..8192"),
        preprocess(
            "channels: gray",
            "spec.schema.preprocess.size",
            "preprocess.size ([height, width]) is required for an image preprocess"),
        preprocess(
            "size: [8, 8], resize: crop", "spec.schema.preprocess.resize", "Unsupported value"),
        preprocess(
            "size: [8, 8], channels: rgba", "spec.schema.preprocess.channels", "Unsupported value"),
        preprocess(
            "size: [8, 8], layout: NCWH", "spec.schema.preprocess.layout", "Unsupported value"),
        preprocess(
            "size: [8, 8], scale: 0", "spec.schema.preprocess.scale", "should be greater than 0"),
        preprocess(
            "size: [8, 8], scale: -0.5",
            "spec.schema.preprocess.scale",
            "should be greater than 0"),
        preprocess(
            "size: [8, 8], mean: [0.5, 0.5]",
            "spec.schema.preprocess.mean",
            "preprocess.mean needs 1 value, or 3 (one per channel)"),
        preprocess(
            "size: [8, 8], channels: gray, mean: [0.1, 0.2, 0.3]",
            "spec.schema.preprocess.mean",
            "preprocess.mean needs 1 value, or 3 (one per channel) with channels rgb or bgr; gray"
                + " has one channel"),
        preprocess(
            "size: [8, 8], mean: [1, 2, 3, 4]",
            "spec.schema.preprocess.mean",
            "must have at most 3 items"),
        preprocess(
            "size: [8, 8], std: [0.5, 0, 0.5]",
            "spec.schema.preprocess.std",
            "preprocess.std may not hold 0"),
        preprocess(
            "size: [8, 8], std: [0.5, 0.5]",
            "spec.schema.preprocess.std",
            "preprocess.std needs 1 value, or 3 (one per channel)"),
        preprocess(
            "size: [8, 8], input: \"\"",
            "spec.schema.preprocess.input",
            "should be at least 1 chars long"),
        Arguments.of(
            "preprocess with two inputs",
            "schema: {inputs: [{name: a, datatype: FP32, shape: [1, 64]},"
                + " {name: b, datatype: FP32, shape: [1, 64]}], preprocess: {size: [8, 8]}}",
            "spec.schema.preprocess",
            "preprocess fills one input, but the schema declares more than one input"),
        Arguments.of(
            "preprocess of an INT64 input",
            "schema: {inputs: [{name: a, datatype: INT64, shape: [1, 64]}],"
                + " preprocess: {size: [8, 8]}}",
            "spec.schema.preprocess",
            "preprocess makes FP32 tensors, but the declared input is not FP32"),
        Arguments.of(
            "preprocess.input not the declared input",
            "schema: {" + IMAGE_INPUT + ", preprocess: {input: pixels, size: [8, 8]}}",
            "spec.schema.preprocess.input",
            "preprocess.input must name the declared input"),
        postprocess("topK: 3", "spec.schema.postprocess.type", "Required value"),
        postprocess("type: segmentation", "spec.schema.postprocess.type", "Unsupported value"),
        postprocess(
            "type: classification, topK: 0",
            "spec.schema.postprocess.topK",
            "should be greater than or equal to 1"),
        postprocess(
            "type: detection, topK: 3",
            "spec.schema.postprocess.topK",
            "postprocess.topK applies only to type classification"),
        postprocess(
            "type: detection, format: ssd", "spec.schema.postprocess.format", "Unsupported value"),
        postprocess(
            "type: detection, confidenceThreshold: 1.5",
            "spec.schema.postprocess.confidenceThreshold",
            "should be less than or equal to 1"),
        postprocess(
            "type: detection, confidenceThreshold: -0.1",
            "spec.schema.postprocess.confidenceThreshold",
            "should be greater than or equal to 0"),
        postprocess(
            "type: detection, iouThreshold: 2",
            "spec.schema.postprocess.iouThreshold",
            "should be less than or equal to 1"),
        postprocess(
            "type: detection, maxDetections: 0",
            "spec.schema.postprocess.maxDetections",
            "should be greater than or equal to 1"),
        postprocess(
            "type: classification, iouThreshold: 0.5",
            "spec.schema.postprocess",
            "postprocess.format, confidenceThreshold, iouThreshold and maxDetections apply only"
                + " to type detection"),
        postprocess(
            "type: detection, format: yolov2, anchors: [1.0, 2.0, 3.0]",
            "spec.schema.postprocess.anchors",
            "postprocess.anchors are pairs of width, height, each above 0 and at most 1000"),
        postprocess(
            "type: detection, format: yolov2, anchors: [1.0, 0]",
            "spec.schema.postprocess.anchors",
            "postprocess.anchors are pairs of width, height, each above 0 and at most 1000"),
        postprocess(
            "type: detection, format: yolov2, anchors: [1.0]",
            "spec.schema.postprocess.anchors",
            "should have at least 2 items"),
        postprocess(
            "type: detection, anchors: [1.0, 2.0]",
            "spec.schema.postprocess.anchors",
            "postprocess.anchors applies only to format yolov2"),
        postprocess(
            "type: classification, output: \"\"",
            "spec.schema.postprocess.output",
            "should be at least 1 chars long"),
        Arguments.of(
            "postprocess.output not a declared output",
            "schema: {outputs: [{name: probabilities, datatype: FP32, shape: [-1, 10]}],"
                + " postprocess: {type: classification, output: logits}}",
            "spec.schema.postprocess.output",
            "postprocess.output must name one of the declared outputs"),
        text("maxLength: 0", "spec.schema.preprocess.maxLength", "greater than or equal to 1"),
        text("maxLength: 8193", "spec.schema.preprocess.maxLength", "less than or equal to 8192"),
        text("padding: right", "spec.schema.preprocess.padding", "Unsupported value"),
        text(
            "tokenizer: ../secret.json",
            "spec.schema.preprocess.tokenizer",
            "preprocess.tokenizer must be a file name in the version folder"),
        text(
            "size: [8, 8]",
            "spec.schema.preprocess",
            "preprocess of type text takes tokenizer, maxLength, truncation and padding; input,"
                + " size"),
        preprocess(
            "size: [8, 8], maxLength: 64",
            "spec.schema.preprocess",
            "preprocess.tokenizer, maxLength, truncation and padding are text keys; add type:"
                + " text"),
        Arguments.of(
            "text preprocess of an FP32 input",
            "schema: {" + IMAGE_INPUT + ", preprocess: {type: text}}",
            "spec.schema.preprocess",
            "preprocess of type text fills INT64 [batch, tokens] inputs input_ids (required)"),
        Arguments.of(
            "text preprocess without input_ids",
            "schema: {inputs: [{name: attention_mask, datatype: INT64, shape: [-1, -1]}],"
                + " preprocess: {type: text}}",
            "spec.schema.preprocess",
            "preprocess of type text fills INT64 [batch, tokens] inputs input_ids (required)"),
        Arguments.of(
            "limits.maxBatchSize 0",
            "schema: {limits: {maxBatchSize: 0}}",
            "spec.schema.limits.maxBatchSize",
            "should be greater than or equal to 1"),
        Arguments.of(
            "a version's schema is held to the same rules",
            "schema: {"
                + IMAGE_INPUT
                + "}\n  versions: [{name: v1, uri: \"https://x/m.onnx\","
                + " schema: {preprocess: {size: [0, 0]}}}]",
            "spec.versions[0].schema.preprocess.size",
            "preprocess.size must be [height, width], each 1..8192"),
        server("inferenceThreads: 0", "inferenceThreads", "should be greater than or equal to 1"),
        server("inferenceThreads: 257", "inferenceThreads", "should be less than or equal to 256"),
        server("intraOpThreads: 0", "intraOpThreads", "should be greater than or equal to 1"),
        server("intraOpThreads: 300", "intraOpThreads", "should be less than or equal to 256"),
        server("queueSize: 0", "queueSize", "should be greater than or equal to 1"),
        server("queueSize: 1000001", "queueSize", "should be less than or equal to 1000000"),
        server("maxPayloadBytes: 0", "maxPayloadBytes", "should be greater than or equal to 1"),
        server(
            "maxPayloadBytes: 2147483648",
            "maxPayloadBytes",
            "should be less than or equal to 2147483647"),
        server("maxImagePixels: 0", "maxImagePixels", "should be greater than or equal to 1"),
        server(
            "maxImagePixels: 500000001",
            "maxImagePixels",
            "should be less than or equal to 500000000"),
        Arguments.of(
            "feedback.window 0",
            "feedback: {window: 0}",
            "spec.feedback.window",
            "should be greater than or equal to 1"),
        Arguments.of(
            "feedback.window 1000001",
            "feedback: {window: 1000001}",
            "spec.feedback.window",
            "should be less than or equal to 1000000"),
        Arguments.of(
            "feedback.volume with a claim and an emptyDir",
            "feedback: {volume: {persistentVolumeClaim: {claimName: logs}, emptyDir: {}}}",
            "spec.feedback.volume",
            "feedback.volume takes one of persistentVolumeClaim and emptyDir, not both"),
        Arguments.of(
            "a version named peers",
            "schema: {" + IMAGE_INPUT + "}\n  versions: [{name: peers, uri: \"https://x/m.onnx\"}]",
            "spec.versions[0].name",
            "version names 'router' and 'peers' are reserved"));
  }

  private static Arguments preprocess(String fields, String field, String message) {
    return Arguments.of(
        "preprocess {" + fields + "}",
        "schema: {" + IMAGE_INPUT + ", preprocess: {" + fields + "}}",
        field,
        message);
  }

  private static Arguments text(String fields, String field, String message) {
    return Arguments.of(
        "text preprocess {" + fields + "}",
        "schema: {" + TEXT_INPUTS + ", preprocess: {type: text, " + fields + "}}",
        field,
        message);
  }

  private static Arguments postprocess(String fields, String field, String message) {
    return Arguments.of(
        "postprocess {" + fields + "}", "schema: {postprocess: {" + fields + "}}", field, message);
  }

  private static Arguments server(String setting, String key, String message) {
    return Arguments.of(
        "server {" + setting + "}",
        "runtime: {server: {" + setting + "}}",
        "spec.runtime.server." + key,
        message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void apiServerRefusesNamingTheField(String title, String spec, String field, String message) {
    String yaml =
        """
        apiVersion: skiff.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: bad}
        spec:
          %s
        """
            .formatted(
                spec.startsWith("schema: {" + IMAGE_INPUT + "}\n") ? spec : V1 + "\n  " + spec);
    KubernetesClientException refused =
        catchThrowableOfType(KubernetesClientException.class, () -> apply(yaml));
    assertThat(refused).as("%s is refused", title).isNotNull();
    assertThat(refused.getCode()).isEqualTo(422);
    List<StatusCause> causes = refused.getStatus().getDetails().getCauses();
    for (StatusCause cause : causes) {
      refusals.add(title + " | " + cause.getField() + " | " + cause.getMessage());
    }
    assertThat(causes)
        .as("causes of %s", title)
        .anySatisfy(
            cause -> {
              assertThat(cause.getField()).isEqualTo(field);
              assertThat(cause.getMessage()).contains(message);
            });
  }

  @Test
  void imageExamplesAreAcceptedAndReachModelYamlAndTheServeOptions() throws IOException {
    apply(example("digits.yaml"));
    apply(example("shapes.yaml"));
    ModelDeployment digits = md("digits");
    assertThat(digits.getSpec().getSchema().getPreprocess().getChannels())
        .isEqualTo(ImageChoices.Channels.GRAY);
    assertThat(md("shapes").getSpec().getSchema().getPostprocess().getFormat())
        .isEqualTo(ImageChoices.DetectionFormat.YOLO);
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              ConfigMap settings =
                  client.configMaps().inNamespace(namespace).withName("digits-settings").get();
              assertThat(settings).isNotNull();
              assertThat(settings.getData().get("v1.model.yaml"))
                  .contains("preprocess:\n  size:\n  - 8\n  - 8\n  channels: gray\n")
                  .contains("postprocess:\n  type: classification\n");
              Deployment shapes =
                  client.apps().deployments().inNamespace(namespace).withName("shapes-v1").get();
              assertThat(shapes).isNotNull();
              assertThat(
                      shapes.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs())
                  .containsSubsequence("--inference-threads", "1", "--queue-size", "16");
            });
  }

  @Test
  void theTextExampleIsAcceptedAndReachesModelYaml() throws IOException {
    apply(example("sentiment.yaml"));
    assertThat(md("sentiment").getSpec().getSchema().getPreprocess().getType())
        .isEqualTo(ImageChoices.PreprocessType.TEXT);
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              ConfigMap settings =
                  client.configMaps().inNamespace(namespace).withName("sentiment-settings").get();
              assertThat(settings).isNotNull();
              assertThat(settings.getData().get("v1.model.yaml"))
                  .contains(
                      "preprocess:\n  type: text\n  tokenizer: tokenizer.json\n  maxLength:"
                          + " 128\n  truncation: true\n")
                  .contains("postprocess:\n  type: classification\n");
            });
  }

  @AfterAll
  void writeRefusals() throws IOException {
    Files.createDirectories(REFUSALS.getParent());
    Files.write(REFUSALS, refusals);
  }
}
