// Trains the digits MLP (64 -> 32 ReLU -> 10 softmax) with Deeplearning4j and writes it as a
// ModelSerializer zip, its weights as JSON (for the Keras HDF5 and ONNX twins) and expected.json.
// Run by examples/scripts/make_dl4j_models.sh with the runtime's class path (runtime/target/libs).
//
//   java -cp 'runtime/target/libs/*' examples/scripts/dl4j/TrainDigits.java \
//       <digits.csv.gz> <digits expected.json> <out dir> <weights.json>

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

public class TrainDigits {
  static final long SEED = 42;
  static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    Path csv = Path.of(args[0]);
    Path digitsExpected = Path.of(args[1]);
    Path outDir = Path.of(args[2]);
    Path weightsJson = Path.of(args[3]);
    Nd4j.getRandom().setSeed(SEED);

    List<float[]> rows = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(csv)), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (!line.isBlank()) {
          String[] cells = line.split(",");
          float[] row = new float[65];
          for (int i = 0; i < 65; i++) {
            row[i] = Float.parseFloat(cells[i]);
          }
          rows.add(row);
        }
      }
    }
    Collections.shuffle(rows, new Random(SEED));
    int trainCount = rows.size() * 3 / 4;
    DataSet train = toDataSet(rows.subList(0, trainCount));
    DataSet test = toDataSet(rows.subList(trainCount, rows.size()));

    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(SEED)
            .dataType(DataType.FLOAT)
            .weightInit(WeightInit.XAVIER)
            .updater(new Adam(0.01))
            .l2(1e-4)
            .list()
            .layer(new DenseLayer.Builder().nIn(64).nOut(32).activation(Activation.RELU).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nIn(32)
                    .nOut(10)
                    .activation(Activation.SOFTMAX)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    // Trained on pixel / 16; the 1/16 is folded into the first layer's weights below, so the
    // saved model takes the raw 0..16 values like the scikit-learn digits model.
    for (int epoch = 0; epoch < 80; epoch++) {
      DataSet shuffled = train.copy();
      shuffled.shuffle(SEED + epoch);
      for (DataSet batch : shuffled.batchBy(64)) {
        net.fit(batch);
      }
    }
    net.getLayer(0).setParam("W", net.getLayer(0).getParam("W").div(16f));
    DataSet rawTest = test.copy();
    rawTest.getFeatures().muli(16f);
    INDArray predicted = net.output(rawTest.getFeatures()).argMax(1);
    INDArray truth = rawTest.getLabels().argMax(1);
    long correct = predicted.eq(truth).castTo(DataType.INT32).sumNumber().longValue();
    System.out.printf(
        "digits-dl4j: held-out accuracy %.3f on %d rows%n",
        correct / (double) truth.length(), truth.length());

    Path zip = outDir.resolve("digits-dl4j/v1/model.zip");
    Files.createDirectories(zip.getParent());
    ModelSerializer.writeModel(net, zip.toFile(), false);

    ObjectNode weights = JSON.createObjectNode();
    weights.set("W1", matrix(net.getLayer(0).getParam("W")));
    weights.set("b1", vector(net.getLayer(0).getParam("b")));
    weights.set("W2", matrix(net.getLayer(1).getParam("W")));
    weights.set("b2", vector(net.getLayer(1).getParam("b")));
    Files.writeString(weightsJson, weights.toString());

    // The same inputs as the scikit-learn digits model's recorded cases 0-9 (the committed
    // digit-<n>.png images) and its batched case, answered by this network.
    JsonNode cases = JSON.readTree(digitsExpected.toFile()).get("cases");
    StringBuilder out = new StringBuilder("{\"model\": \"digits-dl4j\", \"version\": \"v1\", \"cases\": [\n");
    int[] picks = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, cases.size() - 1};
    for (int p = 0; p < picks.length; p++) {
      JsonNode input = cases.get(picks[p]).get("inputs").get("input");
      long[] shape = {input.get("shape").get(0).asLong(), 64};
      float[] data = new float[input.get("data").size()];
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) input.get("data").get(i).asDouble();
      }
      INDArray probabilities = net.output(Nd4j.create(data, shape, 'c'));
      ObjectNode testCase = JSON.createObjectNode();
      testCase.putObject("inputs").set("input", input);
      ObjectNode probs = testCase.putObject("outputs").putObject("probabilities");
      probs.put("datatype", "FP32");
      probs.putArray("shape").add(shape[0]).add(10);
      ArrayNode values = probs.putArray("data");
      for (float v : probabilities.data().asFloat()) {
        values.add(v);
      }
      ArrayNode labels = testCase.putArray("labels");
      for (long label : probabilities.argMax(1).toLongVector()) {
        labels.add(label);
      }
      testCase.put("tolerance", 1e-4);
      out.append("  ").append(testCase).append(p < picks.length - 1 ? ",\n" : "\n");
    }
    out.append("]}\n");
    Files.writeString(outDir.resolve("digits-dl4j/expected.json"), out.toString());
  }

  static DataSet toDataSet(List<float[]> rows) {
    INDArray features = Nd4j.create(DataType.FLOAT, rows.size(), 64);
    INDArray labels = Nd4j.zeros(DataType.FLOAT, rows.size(), 10);
    for (int r = 0; r < rows.size(); r++) {
      float[] row = rows.get(r);
      for (int i = 0; i < 64; i++) {
        features.putScalar(r, i, row[i] / 16f);
      }
      labels.putScalar(r, (int) row[64], 1f);
    }
    return new DataSet(features, labels);
  }

  static ArrayNode matrix(INDArray m) {
    ArrayNode rows = JSON.createArrayNode();
    for (int r = 0; r < m.rows(); r++) {
      rows.add(vector(m.getRow(r)));
    }
    return rows;
  }

  static ArrayNode vector(INDArray v) {
    ArrayNode values = JSON.createArrayNode();
    for (float f : v.dup('c').data().asFloat()) {
      values.add(f);
    }
    return values;
  }
}
