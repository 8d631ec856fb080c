#!/usr/bin/env python3
"""Build the runtime's test models for dynamic batching.

Writes runtime/src/test/resources/models/<name>/{model.yaml, v1/model.onnx} for:

  mlp          a small MLP, input FP32 [-1, 16] -> Gemm(16x32) -> Relu -> Gemm(32x4)
               -> output FP32 [-1, 4], random weights from a fixed seed; no batching
  mlp-batched  the same bytes, with `batching: {maxBatchSize: 32, maxDelayMillis: 5}`
               in its model.yaml, so a test can compare answers with batching on and off

Every model is loaded and run with onnxruntime before the script ends, and a batch of
rows must give the same answers as the rows one at a time.
Run it through make_models.sh (`make models`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_models as mm  # noqa: E402  (shares export helpers)
import make_test_models as tm  # noqa: E402  (shares finish/write)

FEATURES, HIDDEN, CLASSES = 16, 32, 4
INPUTS = [("input", "FP32", [-1, FEATURES])]
OUTPUTS = [("output", "FP32", [-1, CLASSES])]
BATCHING = "batching:\n  maxBatchSize: 32\n  maxDelayMillis: 5\n"


def log(msg: str) -> None:
    print(f"[make_batching_models] {msg}", flush=True)


def mlp_model():
    rng = np.random.default_rng(mm.SEED)
    weights = {
        "w1": rng.standard_normal((FEATURES, HIDDEN)).astype(np.float32) * 0.5,
        "b1": rng.standard_normal(HIDDEN).astype(np.float32) * 0.1,
        "w2": rng.standard_normal((HIDDEN, CLASSES)).astype(np.float32) * 0.5,
        "b2": rng.standard_normal(CLASSES).astype(np.float32) * 0.1,
    }
    nodes = [
        helper.make_node("Gemm", ["input", "w1", "b1"], ["hidden"], name="gemm1"),
        helper.make_node("Relu", ["hidden"], ["activated"], name="relu"),
        helper.make_node("Gemm", ["activated", "w2", "b2"], ["output"], name="gemm2"),
    ]
    graph = helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, FEATURES])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [None, CLASSES])],
        initializer=[numpy_helper.from_array(v, name=k) for k, v in weights.items()],
    )
    return tm.finish(graph), weights


def make_mlp(name: str, description: str, extra_yaml: str) -> Path:
    model, weights = mlp_model()
    path = tm.write(name, model, mm.model_yaml(name, description, INPUTS, OUTPUTS) + extra_yaml)
    mm.check_io(path, INPUTS, OUTPUTS)

    x = np.random.default_rng(mm.SEED + 1).standard_normal((8, FEATURES)).astype(np.float32)
    sess = mm.session(path)
    (batched,) = sess.run(None, {"input": x})
    want = np.maximum(x @ weights["w1"] + weights["b1"], 0) @ weights["w2"] + weights["b2"]
    assert np.allclose(batched, want, atol=1e-5), (batched, want)
    for row in range(len(x)):
        (alone,) = sess.run(None, {"input": x[row:row + 1]})
        assert np.allclose(alone[0], batched[row], atol=1e-6), row
    log(f"{name}: output[0] {batched[0].tolist()}")
    return path


def main() -> int:
    plain = make_mlp("mlp", "Small MLP with random fixed weights (test model): FP32 [-1, 16] -> [-1, 4]", "")
    batched = make_mlp(
        "mlp-batched",
        "The mlp test model with dynamic batching on (maxBatchSize 32, maxDelayMillis 5)",
        BATCHING)
    assert plain.read_bytes() == batched.read_bytes(), "mlp and mlp-batched must be the same model"
    return 0


if __name__ == "__main__":
    os.chdir(mm.REPO)
    sys.exit(main())
