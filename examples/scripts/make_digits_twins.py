"""Write the DL4J digits MLP's twins: the same weights as a Keras HDF5 model and as ONNX.

    python examples/scripts/make_digits_twins.py <weights.json>

<weights.json> is written by examples/scripts/dl4j/TrainDigits.java (run both through
examples/scripts/make_dl4j_models.sh). The network is 64 -> Dense(32, relu) -> Dense(10, softmax);
DL4J keeps a dense layer's weights as [nIn, nOut], which is Keras' kernel layout and ONNX Gemm's
B without transB, so the matrices are written as they are.

- examples/models/digits-keras/v1/model.h5: a Keras 2 HDF5 file written with h5py in the layout
  tf.keras 2.x's model.save("x.h5") produces (root attributes keras_version, backend,
  model_config; model_weights/<layer>/<layer>/{kernel:0,bias:0} with layer_names and weight_names
  attributes) and that DL4J's KerasModelImport reads. No TensorFlow is involved.
- runtime/src/test/resources/dl4j-models/digits-onnx/v1/model.onnx: Gemm, Relu, Gemm, Softmax.

Both are checked against the DL4J answers in examples/models/digits-dl4j/expected.json
(onnxruntime for the ONNX file, numpy for the HDF5 weights read back), and
examples/models/digits-keras/expected.json is written with the same cases.
"""

import json
import sys
from pathlib import Path

import h5py
import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

REPO = Path(__file__).resolve().parents[2]
KERAS_DIR = REPO / "examples/models/digits-keras"
ONNX_DIR = REPO / "runtime/src/test/resources/dl4j-models/digits-onnx"
DL4J_EXPECTED = REPO / "examples/models/digits-dl4j/expected.json"
TOLERANCE = 1e-5


def dense_config(name, units, activation):
    return {
        "class_name": "Dense",
        "config": {
            "name": name,
            "trainable": True,
            "dtype": "float32",
            "units": units,
            "activation": activation,
            "use_bias": True,
            "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
            "bias_initializer": {"class_name": "Zeros", "config": {}},
            "kernel_regularizer": None,
            "bias_regularizer": None,
            "activity_regularizer": None,
            "kernel_constraint": None,
            "bias_constraint": None,
        },
    }


def write_keras(path, w1, b1, w2, b2):
    model_config = {
        "class_name": "Sequential",
        "config": {
            "name": "digits",
            "layers": [
                {
                    "class_name": "InputLayer",
                    "config": {
                        "batch_input_shape": [None, 64],
                        "dtype": "float32",
                        "sparse": False,
                        "ragged": False,
                        "name": "input",
                    },
                },
                dense_config("hidden", 32, "relu"),
                dense_config("probabilities", 10, "softmax"),
            ],
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    # track_order and fixed attributes keep the file identical from run to run.
    with h5py.File(path, "w", track_order=True, libver="earliest") as f:
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["model_config"] = json.dumps(model_config)
        weights = f.create_group("model_weights")
        weights.attrs["backend"] = "tensorflow"
        weights.attrs["keras_version"] = "2.15.0"
        weights.attrs["layer_names"] = np.array([b"hidden", b"probabilities"])
        for name, kernel, bias in (("hidden", w1, b1), ("probabilities", w2, b2)):
            group = weights.create_group(name)
            group.attrs["weight_names"] = np.array(
                [f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()]
            )
            inner = group.create_group(name)
            inner.create_dataset("kernel:0", data=kernel.astype(np.float32))
            inner.create_dataset("bias:0", data=bias.astype(np.float32))


def write_onnx(path, w1, b1, w2, b2):
    graph = helper.make_graph(
        [
            helper.make_node("Gemm", ["input", "W1", "b1"], ["h"]),
            helper.make_node("Relu", ["h"], ["a"]),
            helper.make_node("Gemm", ["a", "W2", "b2"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
        ],
        "digits_mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 64])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 10])],
        [
            numpy_helper.from_array(w1.astype(np.float32), "W1"),
            numpy_helper.from_array(b1.astype(np.float32), "b1"),
            numpy_helper.from_array(w2.astype(np.float32), "W2"),
            numpy_helper.from_array(b2.astype(np.float32), "b2"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model.SerializeToString(deterministic=True))


def numpy_forward(x, w1, b1, w2, b2):
    h = np.maximum(x @ w1 + b1, 0)
    z = h @ w2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def main():
    weights = json.loads(Path(sys.argv[1]).read_text())
    w1, b1, w2, b2 = (np.array(weights[k], dtype=np.float32) for k in ("W1", "b1", "W2", "b2"))
    assert w1.shape == (64, 32) and w2.shape == (32, 10), (w1.shape, w2.shape)

    keras_file = KERAS_DIR / "v1/model.h5"
    onnx_file = ONNX_DIR / "v1/model.onnx"
    write_keras(keras_file, w1, b1, w2, b2)
    write_onnx(onnx_file, w1, b1, w2, b2)

    with h5py.File(keras_file, "r") as f:
        g = f["model_weights"]
        back = [np.array(g[n][n][w]) for n in ("hidden", "probabilities") for w in ("kernel:0", "bias:0")]
    session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    expected = json.loads(DL4J_EXPECTED.read_text())
    for case in expected["cases"]:
        x = case["inputs"]["input"]
        x = np.array(x["data"], dtype=np.float32).reshape(x["shape"])
        want = np.array(case["outputs"]["probabilities"]["data"], dtype=np.float32).reshape(-1, 10)
        got_onnx = session.run(None, {"input": x})[0]
        got_keras = numpy_forward(x, *back)
        for got, what in ((got_onnx, "onnx"), (got_keras, "keras weights")):
            diff = float(np.abs(got - want).max())
            assert diff < TOLERANCE, f"{what} differs from DL4J by {diff}"
            assert list(got.argmax(axis=1)) == case["labels"], what
    keras_expected = dict(expected, model="digits-keras")
    text = json.dumps(keras_expected, separators=(", ", ": "))
    (KERAS_DIR / "expected.json").write_text(
        text.replace('"cases": [{', '"cases": [\n  {').replace("}, {\"inputs\"", "},\n  {\"inputs\"") + "\n"
    )
    print(f"digits twins: {keras_file.relative_to(REPO)} and {onnx_file.relative_to(REPO)} agree "
          f"with DL4J within {TOLERANCE} on {len(expected['cases'])} cases")


if __name__ == "__main__":
    main()
