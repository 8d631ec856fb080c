#!/usr/bin/env python3
"""The batching benchmark's small MLPs (random weights from a fixed seed), with and without batching.

    python bench/models/make_mlp.py <out-dir>

For each hidden width W in WIDTHS writes <out-dir>/mlp<W>/ (batching off) and
<out-dir>/mlp<W>-batched/ (maxBatchSize 32, maxDelayMillis 5), each a model.yaml and
v1/model.onnx, and <out-dir>/requests/mlp.json (one row, the same for every width).

FP32 [-1, 256] -> Gemm W -> Relu -> Gemm W -> Relu -> Gemm 16. W = 2048 (the goal's model): 4.7 M
multiply-adds and 19 MB of weights per call, the size of a small tabular or ranking model; W = 1024:
1.3 M and 5.3 MB. At batch 1 each call streams all the weights through the caches for one row; a
batch reuses them for every row, which is the saving dynamic batching exists for. How much it gains
end to end depends on how the model's cost compares with the HTTP and JSON cost of a request,
which is why two widths are measured. (The runtime's 3 KB test MLP costs microseconds per call, so
batching it measures only the HTTP path.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 0
INPUTS, OUTPUTS = 256, 16
WIDTHS = (1024, 2048)


def model(width: int) -> onnx.ModelProto:
    layers = (INPUTS, width, width, OUTPUTS)
    rng = np.random.default_rng(SEED)
    nodes, inits = [], []
    current = "input"
    for i, (fan_in, fan_out) in enumerate(zip(layers, layers[1:])):
        w = (rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(np.float32)
        b = np.zeros(fan_out, dtype=np.float32)
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        last = i == len(layers) - 2
        gemm = "output" if last else f"gemm{i}"
        nodes.append(helper.make_node("Gemm", [current, f"w{i}", f"b{i}"], [gemm]))
        if not last:
            nodes.append(helper.make_node("Relu", [gemm], [f"relu{i}"]))
            current = f"relu{i}"
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", INPUTS])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", OUTPUTS])],
        inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def settings(name: str, width: int, batching: bool) -> str:
    text = (f"name: {name}\n"
            f"description: \"Benchmark MLP {INPUTS} -> {width} -> {width} -> {OUTPUTS}, random weights"
            f"{', dynamic batching' if batching else ''}\"\n"
            "defaultVersion: v1\n"
            "inputs:\n"
            f"  - {{name: input, datatype: FP32, shape: [-1, {INPUTS}]}}\n"
            "outputs:\n"
            f"  - {{name: output, datatype: FP32, shape: [-1, {OUTPUTS}]}}\n")
    if batching:
        text += "batching:\n  maxBatchSize: 32\n  maxDelayMillis: 5\n"
    return text


def main() -> None:
    out = Path(sys.argv[1])
    for width in WIDTHS:
        m = model(width)
        for name, batching in ((f"mlp{width}", False), (f"mlp{width}-batched", True)):
            (out / name / "v1").mkdir(parents=True, exist_ok=True)
            (out / name / "model.yaml").write_text(settings(name, width, batching))
            onnx.save(m, str(out / name / "v1" / "model.onnx"))
    row = np.random.default_rng(SEED + 1).random(INPUTS).round(4).tolist()
    (out / "requests").mkdir(parents=True, exist_ok=True)
    (out / "requests" / "mlp.json").write_text(json.dumps(
        {"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, INPUTS], "data": row}]}))


if __name__ == "__main__":
    main()
