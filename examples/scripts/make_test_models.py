#!/usr/bin/env python3
"""Build the runtime's test-only model repository.

Writes runtime/src/test/resources/models/<name>/{model.yaml, v1/model.onnx} for:

  iris-zipmap  the iris LogisticRegression of make_models.py exported WITH ZipMap:
               outputs output_label INT64 [-1] and output_probability, an ONNX
               seq(map(int64, float)) that the runtime turns into FP32 [-1, 3]
  datatypes    one Identity node per V2 datatype that ONNX Runtime Java can feed:
               BOOL UINT8 INT8 INT16 INT32 INT64 FP16 FP32 FP64 BYTES (in_<t> -> out_<t>)
  datatypes-unsigned  the same for UINT16 UINT32 UINT64, which ORT Java cannot
               create as inputs: a request to it must fail cleanly
  unsigned-outputs  x INT64 -> Cast -> out_uint16 / out_uint32 / out_uint64 (ORT
               Java reads them as signed short/int/long bit patterns)
  mismatch     the iris model, with a model.yaml that declares input shape [-1, 5]
               on purpose (the runtime must refuse to load it)
  add          a, b FP32 [-1, 3] -> sum = a + b, product = a * b

Every model is loaded and run with onnxruntime before the script ends.
Run it through make_models.sh (`make models`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_models as mm  # noqa: E402  (shares training, export and helpers)

REPO = mm.REPO
TEST_MODELS = REPO / "runtime" / "src" / "test" / "resources" / "models"
MAX_BYTES = 100 * 1024

# V2 datatype -> (suffix of the tensor names, ONNX element type, numpy dtype).
# ONNX Runtime's Java API (1.29) cannot create UINT16, UINT32 or UINT64 tensors
# (OnnxJavaType has no such constants and an INT16/32/64 tensor is refused with
# "Unexpected input data type"), and ORT runs every node of a graph whatever
# outputs are requested, so a single graph holding those inputs could never run
# from Java. They therefore live in their own model, datatypes-unsigned.
DATATYPES = [
    ("BOOL", "bool", TensorProto.BOOL, np.bool_),
    ("UINT8", "uint8", TensorProto.UINT8, np.uint8),
    ("INT8", "int8", TensorProto.INT8, np.int8),
    ("INT16", "int16", TensorProto.INT16, np.int16),
    ("INT32", "int32", TensorProto.INT32, np.int32),
    ("INT64", "int64", TensorProto.INT64, np.int64),
    ("FP16", "fp16", TensorProto.FLOAT16, np.float16),
    ("FP32", "fp32", TensorProto.FLOAT, np.float32),
    ("FP64", "fp64", TensorProto.DOUBLE, np.float64),
    ("BYTES", "bytes", TensorProto.STRING, object),
]
UNSIGNED = [
    ("UINT16", "uint16", TensorProto.UINT16, np.uint16),
    ("UINT32", "uint32", TensorProto.UINT32, np.uint32),
    ("UINT64", "uint64", TensorProto.UINT64, np.uint64),
]


def log(msg: str) -> None:
    print(f"[make_test_models] {msg}", flush=True)


def finish(graph: onnx.GraphProto) -> onnx.ModelProto:
    model = helper.make_model(
        graph,
        producer_name="skiff-make_test_models",
        opset_imports=[helper.make_opsetid("", mm.OPSET)],
    )
    return mm.normalize_model(model)


def write(name: str, model: onnx.ModelProto, yaml_text: str) -> Path:
    folder = TEST_MODELS / name
    path = folder / "v1" / "model.onnx"
    mm.save_model(model, path)
    assert path.stat().st_size < MAX_BYTES, path
    mm.write_text(folder / "model.yaml", yaml_text)
    return path


# ---------------------------------------------------------------- models


def make_iris_zipmap() -> None:
    clf, _, _ = mm.train_iris()
    model = mm.export_classifier(clf, 4, zipmap=True)
    outs = {o.name: o.type for o in model.graph.output}
    assert set(outs) == {"output_label", "output_probability"}, outs
    assert outs["output_probability"].HasField("sequence_type"), outs
    path = write("iris-zipmap", model, mm.model_yaml(
        "iris-zipmap",
        "Iris classifier exported with ZipMap: output_probability is seq(map(int64, float))",
        [("input", "FP32", [-1, 4])],
        [("output_label", "INT64", [-1]), ("output_probability", "FP32", [-1, 3])],
        mm.IRIS_LABELS))

    # same predictions as the zipmap=False example model
    x = np.array([[5.1, 3.5, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4], [6.3, 3.3, 6.0, 2.5]], dtype=np.float32)
    label, seq = mm.session(path).run(None, {"input": x})
    assert label.tolist() == [0, 1, 2], label
    assert isinstance(seq, list) and all(isinstance(m, dict) for m in seq), seq
    assert sorted(seq[0]) == [0, 1, 2], seq[0]
    ref_label, ref_proba = mm.session(mm.EXAMPLES / "models" / "iris" / "v1" / "model.onnx").run(None, {"input": x})
    proba = np.array([[m[k] for k in sorted(m)] for m in seq], dtype=np.float32)
    assert np.array_equal(label, ref_label) and np.allclose(proba, ref_proba, atol=1e-6)
    log(f"iris-zipmap: output_label {label.tolist()}, output_probability[0] {seq[0]}")


def make_identity_model(name: str, types: list, description: str) -> None:
    inputs, outputs, nodes, ins, outs = [], [], [], [], []
    for v2, suffix, elem, _ in types:
        i, o = f"in_{suffix}", f"out_{suffix}"
        inputs.append(helper.make_tensor_value_info(i, elem, [None, 2]))
        outputs.append(helper.make_tensor_value_info(o, elem, [None, 2]))
        nodes.append(helper.make_node("Identity", [i], [o], name=f"identity_{suffix}"))
        ins.append((i, v2, [-1, 2]))
        outs.append((o, v2, [-1, 2]))
    model = finish(helper.make_graph(nodes, name, inputs, outputs))
    path = write(name, model, mm.model_yaml(name, description, ins, outs))

    rng = np.random.default_rng(mm.SEED)
    feeds = {}
    for _, suffix, _, dtype in types:
        if dtype is object:
            feeds[f"in_{suffix}"] = np.array([["a", "b"], ["héllo", ""]], dtype=object)
        elif dtype is np.bool_:
            feeds[f"in_{suffix}"] = np.array([[True, False], [False, True]])
        elif np.issubdtype(dtype, np.integer):
            info = np.iinfo(dtype)
            feeds[f"in_{suffix}"] = np.array([[info.min, info.max], [0, 1]], dtype=dtype)
        else:
            feeds[f"in_{suffix}"] = rng.standard_normal((2, 2)).astype(dtype)
    sess = mm.session(path)
    got = sess.run([f"out_{s}" for _, s, _, _ in types], feeds)
    for (_, suffix, _, _), out in zip(types, got):
        want = feeds[f"in_{suffix}"]
        assert out.shape == want.shape and out.dtype == want.dtype and np.array_equal(out, want), suffix
    log(f"{name}: {len(types)} Identity nodes round-trip their inputs")


def make_datatypes() -> None:
    make_identity_model(
        "datatypes", DATATYPES,
        "One Identity node per V2 datatype that ONNX Runtime Java can feed (test model): out_<type> = in_<type>")
    make_identity_model(
        "datatypes-unsigned", UNSIGNED,
        "UINT16/UINT32/UINT64 Identity nodes (test model): ONNX Runtime Java cannot create these input tensors")


def make_unsigned_outputs() -> None:
    """x INT64 [-1, 2] -> Cast to out_uint16 / out_uint32 / out_uint64.

    ONNX Runtime Java can read these outputs, as signed short/int/long bit
    patterns (e.g. -1 -> 65535 for UINT16): the runtime must reinterpret them.
    """
    x = helper.make_tensor_value_info("x", TensorProto.INT64, [None, 2])
    nodes, outputs, outs = [], [], []
    for v2, suffix, elem, _ in UNSIGNED:
        nodes.append(helper.make_node("Cast", ["x"], [f"out_{suffix}"], to=elem, name=f"cast_{suffix}"))
        outputs.append(helper.make_tensor_value_info(f"out_{suffix}", elem, [None, 2]))
        outs.append((f"out_{suffix}", v2, [-1, 2]))
    model = finish(helper.make_graph(nodes, "unsigned-outputs", [x], outputs))
    path = write("unsigned-outputs", model, mm.model_yaml(
        "unsigned-outputs",
        "Casts INT64 x to UINT16, UINT32 and UINT64 outputs (test model; x = [[-1, 70000]] gives 65535/4464, 4294967295/70000, 18446744073709551615/70000)",
        [("x", "INT64", [-1, 2])], outs))
    feed = np.array([[-1, 70000]], dtype=np.int64)
    u16, u32, u64 = mm.session(path).run(None, {"x": feed})
    assert u16.tolist() == [[65535, 4464]] and u16.dtype == np.uint16
    assert u32.tolist() == [[4294967295, 70000]] and u32.dtype == np.uint32
    assert u64.tolist() == [[18446744073709551615, 70000]] and u64.dtype == np.uint64
    log(f"unsigned-outputs: x {feed.tolist()} -> {u16.tolist()}, {u32.tolist()}, {u64.tolist()}")


def make_mismatch() -> None:
    clf, _, _ = mm.train_iris()
    model = mm.export_classifier(clf, 4, zipmap=False)
    path = write("mismatch", model, mm.model_yaml(
        "mismatch",
        "Iris model whose settings declare the wrong input shape [-1, 5] (the model has [-1, 4]): must fail to load",
        [("input", "FP32", [-1, 5])],
        [("label", "INT64", [-1]), ("probabilities", "FP32", [-1, 3])],
        mm.IRIS_LABELS))
    example = mm.EXAMPLES / "models" / "iris" / "v1" / "model.onnx"
    assert path.read_bytes() == example.read_bytes(), "mismatch must be a byte copy of the iris model"
    mm.check_io(path, [("input", "FP32", [-1, 4])],
                [("label", "INT64", [-1]), ("probabilities", "FP32", [-1, 3])])
    log("mismatch: same bytes as examples/models/iris/v1/model.onnx, model.yaml says [-1, 5]")


def make_add() -> None:
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, [None, 3])
    b = helper.make_tensor_value_info("b", TensorProto.FLOAT, [None, 3])
    s = helper.make_tensor_value_info("sum", TensorProto.FLOAT, [None, 3])
    p = helper.make_tensor_value_info("product", TensorProto.FLOAT, [None, 3])
    nodes = [helper.make_node("Add", ["a", "b"], ["sum"], name="add"),
             helper.make_node("Mul", ["a", "b"], ["product"], name="mul")]
    model = finish(helper.make_graph(nodes, "add", [a, b], [s, p]))
    path = write("add", model, mm.model_yaml(
        "add",
        "Element-wise sum = a + b and product = a * b (test model)",
        [("a", "FP32", [-1, 3]), ("b", "FP32", [-1, 3])],
        [("sum", "FP32", [-1, 3]), ("product", "FP32", [-1, 3])]))
    mm.check_io(path, [("a", "FP32", [-1, 3]), ("b", "FP32", [-1, 3])],
                [("sum", "FP32", [-1, 3]), ("product", "FP32", [-1, 3])])

    x = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32)
    y = np.array([[10, 20, 30], [0.5, -1, 2]], dtype=np.float32)
    sess = mm.session(path)
    total, product = sess.run(["sum", "product"], {"a": x, "b": y})
    assert np.array_equal(total, x + y) and np.array_equal(product, x * y)
    (only,) = sess.run(["product"], {"a": x[:1], "b": y[:1]})
    assert only.tolist() == [[10.0, 40.0, 90.0]]
    log(f"add: sum {total.tolist()}, product {product.tolist()}")


def main() -> int:
    make_iris_zipmap()
    make_datatypes()
    make_unsigned_outputs()
    make_mismatch()
    make_add()
    return 0


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
