package dev.skiff.runtime.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.backend.BackendOptions;
import dev.skiff.runtime.backend.DeclaredTensors;
import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.backend.ModelSession;
import dev.skiff.runtime.backend.onnx.OnnxBackendProvider;
import dev.skiff.runtime.model.ModelSettings;
import dev.skiff.runtime.model.SettingsReader;
import dev.skiff.runtime.tensor.Tensor;
import dev.skiff.runtime.tensor.TensorSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The DL4J and Keras backends loading the example files in-process, next to the ONNX twin. */
class Dl4jBackendTest {
  static final Path MODELS = Path.of("../examples/models");
  static final Path TEST_MODELS = Path.of("src/test/resources/dl4j-models");
  static final BackendOptions CPU = BackendOptions.builder().build();
  static final ObjectMapper MAPPER = new ObjectMapper();

  static ModelSession dl4j;
  static ModelSession keras;
  static ModelSession onnx;

  @BeforeAll
  static void load() {
    dl4j =
        new Dl4jBackendProvider()
            .load(
                MODELS.resolve("digits-dl4j/v1/model.zip"),
                CPU,
                declared(MODELS.resolve("digits-dl4j")));
    keras =
        new KerasBackendProvider()
            .load(
                MODELS.resolve("digits-keras/v1/model.h5"),
                CPU,
                declared(MODELS.resolve("digits-keras")));
    onnx =
        new OnnxBackendProvider()
            .load(
                TEST_MODELS.resolve("digits-onnx/v1/model.onnx"),
                CPU,
                declared(TEST_MODELS.resolve("digits-onnx")));
  }

  /** What the repository passes a backend: the tensors the model folder's model.yaml declares. */
  private static DeclaredTensors declared(Path modelFolder) {
    ModelSettings settings =
        ModelSettings.from(
            SettingsReader.read(modelFolder.resolve("model.yaml")),
            modelFolder.getFileName().toString());
    return new DeclaredTensors(settings.inputs(), settings.outputs());
  }

  @AfterAll
  static void close() {
    dl4j.close();
    keras.close();
    onnx.close();
  }

  @Test
  void metadataComesFromTheNetworkAndTheDeclaredNames() {
    TensorSpec input = new TensorSpec("input", Datatype.FP32, new long[] {-1, 64});
    TensorSpec output = new TensorSpec("probabilities", Datatype.FP32, new long[] {-1, 10});
    assertThat(dl4j.platform()).isEqualTo("dl4j_zip");
    assertThat(dl4j.inputs()).containsExactly(input);
    assertThat(dl4j.outputs()).containsExactly(output);
    assertThat(keras.platform()).isEqualTo("keras_hdf5");
    assertThat(keras.inputs()).containsExactly(input);
    assertThat(keras.outputs()).containsExactly(output);
  }

  @Test
  void recordedAnswersAndTheThreeFormatsAgree() throws Exception {
    JsonNode cases =
        MAPPER.readTree(MODELS.resolve("digits-dl4j/expected.json").toFile()).get("cases");
    assertThat(cases).hasSizeGreaterThanOrEqualTo(11);
    for (JsonNode testCase : cases) {
      JsonNode input = testCase.at("/inputs/input");
      float[] want = floats(testCase.at("/outputs/probabilities/data"));
      float[] fromDl4j = probabilities(dl4j, input);
      float[] fromKeras = probabilities(keras, input);
      float[] fromOnnx = probabilities(onnx, input);
      for (int i = 0; i < want.length; i++) {
        assertThat(fromDl4j[i]).isCloseTo(want[i], within(1e-4f));
        assertThat(fromKeras[i]).as("keras vs dl4j").isCloseTo(fromDl4j[i], within(1e-5f));
        assertThat(fromOnnx[i]).as("onnx vs dl4j").isCloseTo(fromDl4j[i], within(1e-5f));
      }
      List<Integer> labels = new ArrayList<>();
      for (int row = 0; row < want.length / 10; row++) {
        labels.add(argMax(fromDl4j, row * 10));
      }
      assertThat(labels.toString()).isEqualTo(testCase.get("labels").toString().replace(",", ", "));
    }
  }

  @Test
  void concurrentCallsGetTheirOwnAnswers() throws Exception {
    JsonNode cases =
        MAPPER.readTree(MODELS.resolve("digits-dl4j/expected.json").toFile()).get("cases");
    List<float[]> expected = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      expected.add(probabilities(dl4j, cases.get(i).at("/inputs/input")));
    }
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 40; i++) {
                    int digit = (thread + i) % 10;
                    float[] got = probabilities(dl4j, cases.get(digit).at("/inputs/input"));
                    assertThat(got).containsExactly(expected.get(digit), within(1e-6f));
                  }
                  return null;
                }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(((Dl4jModelSession) dl4j).copies())
        .isBetween(1, Runtime.getRuntime().availableProcessors());
  }

  @Test
  void aDirectRequestBufferIsReadNotWritten() throws Exception {
    ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 4).order(ByteOrder.nativeOrder());
    for (int i = 0; i < 64; i++) {
      buffer.putFloat(i * 4, i % 17);
    }
    Tensor tensor = Tensor.ofBuffer("input", Datatype.FP32, new long[] {1, 64}, buffer);
    Tensor first = dl4j.run(List.of(tensor), Set.of("probabilities")).get("probabilities");
    Tensor second = dl4j.run(List.of(tensor), Set.of("probabilities")).get("probabilities");
    for (int i = 0; i < 64; i++) {
      assertThat(buffer.getFloat(i * 4)).isEqualTo(i % 17);
    }
    assertThat(first.shape()).containsExactly(1, 10);
    assertThat(second.data()).isEqualTo(first.data());
  }

  /**
   * A ComputationGraph zip (what functional Keras models and multi-vertex DL4J networks are) keeps
   * its vertex names as tensor names and answers exactly what the network itself answers.
   */
  @Test
  void aComputationGraphZipServesUnderItsVertexNames(@TempDir Path dir) throws Exception {
    var conf =
        new NeuralNetConfiguration.Builder()
            .seed(7)
            .graphBuilder()
            .addInputs("features")
            .addLayer(
                "hidden",
                new DenseLayer.Builder().nIn(3).nOut(5).activation(Activation.RELU).build(),
                "features")
            .addLayer(
                "scores",
                new OutputLayer.Builder()
                    .nIn(5)
                    .nOut(2)
                    .activation(Activation.SOFTMAX)
                    .lossFunction(LossFunctions.LossFunction.MCXENT)
                    .build(),
                "hidden")
            .setOutputs("scores")
            .build();
    var graph = new ComputationGraph(conf);
    graph.init();
    Path zip = dir.resolve("model.zip");
    ModelSerializer.writeModel(graph, zip.toFile(), false);
    float[] row = {0.5f, -1.25f, 2f};
    float[] want = graph.outputSingle(Nd4j.create(new float[][] {row})).toFloatVector();

    try (ModelSession session = new Dl4jBackendProvider().load(zip, CPU, DeclaredTensors.NONE)) {
      assertThat(session.inputs()).extracting(TensorSpec::name).containsExactly("features");
      assertThat(session.outputs()).extracting(TensorSpec::name).containsExactly("scores");
      ByteBuffer buffer = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
      buffer.asFloatBuffer().put(row);
      Tensor input = Tensor.ofBuffer("features", Datatype.FP32, new long[] {1, 3}, buffer);
      Tensor scores = session.run(List.of(input), Set.of("scores")).get("scores");
      assertThat(scores.shape()).containsExactly(1, 2);
      ByteBuffer data = scores.data();
      for (int i = 0; i < want.length; i++) {
        assertThat(data.getFloat(i * 4)).isCloseTo(want[i], within(1e-6f));
      }
    }
  }

  @Test
  void aTruncatedZipFailsNamingTheFile() {
    assertThatThrownBy(
            () ->
                new Dl4jBackendProvider()
                    .load(
                        TEST_MODELS.resolve("corrupt-zip/v1/model.zip"), CPU, DeclaredTensors.NONE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model.zip")
        .hasMessageContaining("is not a readable Deeplearning4j ModelSerializer zip");
  }

  @Test
  void aZipWithoutAConfigurationIsNotADl4jModel(@TempDir Path dir) throws IOException {
    Path zip = dir.resolve("other.zip");
    try (OutputStream out = Files.newOutputStream(zip);
        ZipOutputStream archive = new ZipOutputStream(out)) {
      archive.putNextEntry(new ZipEntry("readme.txt"));
      archive.write("not a model".getBytes(StandardCharsets.UTF_8));
      archive.closeEntry();
    }
    assertThatThrownBy(() -> new Dl4jBackendProvider().load(zip, CPU, DeclaredTensors.NONE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(
            "other.zip is not a Deeplearning4j ModelSerializer zip: it has no configuration.json");
  }

  @Test
  void aFileThatIsNotHdf5FailsNamingTheFile(@TempDir Path dir) throws IOException {
    Path h5 = Files.writeString(dir.resolve("broken.h5"), "not hdf5");
    assertThatThrownBy(() -> new KerasBackendProvider().load(h5, CPU, DeclaredTensors.NONE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith("Deeplearning4j's Keras import could not load broken.h5: ");
  }

  @Test
  void gpuIsRefusedOnTheCpuBackend() {
    assertThatThrownBy(
            () ->
                new Dl4jBackendProvider()
                    .load(
                        MODELS.resolve("digits-dl4j/v1/model.zip"),
                        BackendOptions.builder().gpu(true).build(),
                        DeclaredTensors.NONE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("device gpu was requested but nd4j runs on its CPU backend");
  }

  static float[] probabilities(ModelSession session, JsonNode input) throws Exception {
    float[] data = floats(input.get("data"));
    ByteBuffer buffer = ByteBuffer.allocateDirect(data.length * 4).order(ByteOrder.nativeOrder());
    buffer.asFloatBuffer().put(data);
    long[] shape = {input.at("/shape/0").asLong(), 64};
    Tensor tensor = Tensor.ofBuffer("input", Datatype.FP32, shape, buffer);
    Tensor out = session.run(List.of(tensor), Set.of("probabilities")).get("probabilities");
    assertThat(out.shape()).containsExactly(shape[0], 10);
    float[] values = new float[Math.toIntExact(out.elementCount())];
    out.data().asFloatBuffer().get(values);
    return values;
  }

  static float[] floats(JsonNode array) {
    float[] values = new float[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) array.get(i).asDouble();
    }
    return values;
  }

  static int argMax(float[] values, int from) {
    int best = 0;
    for (int k = 1; k < 10; k++) {
      if (values[from + k] > values[from + best]) {
        best = k;
      }
    }
    return best;
  }
}
