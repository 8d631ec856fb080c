#!/usr/bin/env python3
"""Train the Skiff example models and export them to ONNX.

Writes (paths relative to the repository root):

  examples/models/iris/v1/model.onnx     LogisticRegression on scikit-learn's iris
  examples/models/iris/model.yaml
  examples/models/iris/expected.json     predictions recorded with onnxruntime
  examples/models/digits/v1/model.onnx   LogisticRegression on scikit-learn's 8x8 digits
  examples/models/digits/model.yaml
  examples/models/digits/expected.json
  examples/images/digit-<n>.png          one held-out 8x8 digit per class
  examples/requests/{iris,iris-v1,digits,digits-v1}.json

Only the datasets bundled inside the scikit-learn package are used (nothing is
downloaded). Seeds are fixed and the output is byte-identical across re-runs
with the pinned requirements.txt. Run it through make_models.sh (`make models`).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from PIL import Image
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn.datasets import load_digits, load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"

SEED = 0
# Loaded by onnxruntime 1.29 (Java) as well as the Python one used to verify.
OPSET = 17
ML_OPSET = 3
IR_VERSION = 8  # the IR version that goes with opset 17
TOLERANCE = 1e-4

IRIS_LABELS = ["setosa", "versicolor", "virginica"]
DIGIT_LABELS = [str(d) for d in range(10)]


# ---------------------------------------------------------------- helpers


def log(msg: str) -> None:
    print(f"[{Path(sys.argv[0]).stem}] {msg}", flush=True)


def f32(values) -> list[float]:
    """FP32 values as the shortest decimal that round-trips through float32."""
    return [float(str(np.float32(v))) for v in np.asarray(values, dtype=np.float32).ravel()]


def ints(values) -> list[int]:
    return [int(v) for v in np.asarray(values).ravel()]


def normalize_model(model: onnx.ModelProto) -> onnx.ModelProto:
    """Pin IR version and opset imports, then validate.

    skl2onnx lowers the opsets to the smallest that its operators need and, for
    zipmap=False, emits the default domain twice in opset_import; rewrite them
    to one entry per domain at the versions the runtime is documented for.
    """
    domains = {imp.domain for imp in model.opset_import}
    del model.opset_import[:]
    for domain in sorted(domains):
        imp = model.opset_import.add()
        imp.domain = domain
        imp.version = OPSET if domain in ("", "ai.onnx") else ML_OPSET
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def save_model(model: onnx.ModelProto, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = model.SerializeToString(deterministic=True)
    path.write_bytes(data)
    log(f"wrote {path.relative_to(REPO)} ({len(data)} bytes)")


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    log(f"wrote {path.relative_to(REPO)}")


def yaml_list(items) -> str:
    return "[" + ", ".join(str(i) for i in items) + "]"


def yaml_str_list(items) -> str:
    """A YAML flow list; purely numeric strings are quoted so they stay strings."""
    out = []
    for item in items:
        out.append(f'"{item}"' if item.lstrip("-").isdigit() else item)
    return "[" + ", ".join(out) + "]"


def model_yaml(name: str, description: str, inputs, outputs, labels=None,
               fmt: str = "onnx", default_version: str = "v1", batching=None,
               preprocess: str | None = None, postprocess: str | None = None,
               limits: str | None = None) -> str:
    """model.yaml in the runtime's contract format.

    inputs/outputs: lists of (name, V2 datatype, shape with -1 for dynamic).
    """
    lines = [
        "# Skiff model settings",
        f"name: {name}",
        f"description: {json.dumps(description)}",
        f"defaultVersion: {default_version}",
        f"format: {fmt}            # optional: inferred from the model file name when absent",
        "inputs:",
    ]
    for tname, dtype, shape in inputs:
        lines += [f"  - name: {tname}", f"    datatype: {dtype}", f"    shape: {yaml_list(shape)}"]
    lines.append("outputs:")
    for tname, dtype, shape in outputs:
        lines += [f"  - name: {tname}", f"    datatype: {dtype}", f"    shape: {yaml_list(shape)}"]
    if labels is not None:
        lines.append(f"labels: {yaml_str_list(labels)}")
    if batching is not None:
        max_batch, max_delay = batching
        lines.append(f"batching: {{maxBatchSize: {max_batch}, maxDelayMillis: {max_delay}}}")
    if preprocess is not None:  # image models: docs/images.md
        lines.append(f"preprocess: {preprocess}")
    if postprocess is not None:
        lines.append(f"postprocess: {postprocess}")
    if limits is not None:
        lines.append(f"limits: {limits}")
    return "\n".join(lines) + "\n"


def session(path: Path) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


def classifier_case(sess: ort.InferenceSession, x: np.ndarray) -> dict:
    """One expected.json case: run the exported model on rows x (FP32)."""
    x = np.asarray(x, dtype=np.float32)
    label, proba = sess.run(["label", "probabilities"], {"input": x})
    return {
        "inputs": {"input": {"datatype": "FP32", "shape": list(x.shape), "data": f32(x)}},
        "outputs": {
            "label": {"datatype": "INT64", "shape": list(label.shape), "data": ints(label)},
            "probabilities": {"datatype": "FP32", "shape": list(proba.shape), "data": f32(proba)},
        },
        "tolerance": TOLERANCE,
    }


def assert_clear_margins(cases: list[dict], n_classes: int, margin: float = 0.05) -> None:
    """No recorded case sits near a decision boundary, so the label cannot flip
    on another machine or onnxruntime build within the tolerance."""
    for c in cases:
        p = np.sort(np.asarray(c["outputs"]["probabilities"]["data"]).reshape(-1, n_classes), axis=1)
        assert np.all(p[:, -1] - p[:, -2] > margin), c


def dump_expected(path: Path, model: str, version: str, cases: list[dict]) -> None:
    body = ",\n".join("  " + json.dumps(c) for c in cases)
    text = (f'{{"model": {json.dumps(model)}, "version": {json.dumps(version)}, "cases": [\n'
            f"{body}\n]}}\n")
    json.loads(text)  # well-formed
    write_text(path, text)


def dump_json(path: Path, obj) -> None:
    write_text(path, json.dumps(obj) + "\n")


def verify_expected(model_path: Path, expected_path: Path) -> None:
    """Re-run every recorded case against the file on disk."""
    sess = session(model_path)
    spec = json.loads(expected_path.read_text())
    for i, case in enumerate(spec["cases"]):
        feeds = {name: np.asarray(t["data"], dtype=np.float32).reshape(t["shape"])
                 for name, t in case["inputs"].items()}
        names = list(case["outputs"])
        got = dict(zip(names, sess.run(names, feeds)))
        for name, want in case["outputs"].items():
            g = got[name]
            assert list(g.shape) == want["shape"], (expected_path, i, name, g.shape)
            w = np.asarray(want["data"]).reshape(want["shape"])
            if want["datatype"] == "INT64":
                assert g.dtype == np.int64 and np.array_equal(g, w), (expected_path, i, name)
            else:
                assert g.dtype == np.float32, (expected_path, i, name, g.dtype)
                assert np.allclose(g, w, atol=case["tolerance"], rtol=0), (expected_path, i, name)
    log(f"verified {len(spec['cases'])} cases of {expected_path.relative_to(REPO)}")


def check_io(model_path: Path, inputs, outputs) -> None:
    """The ONNX file's signature matches what model.yaml declares."""
    v2 = {"tensor(float)": "FP32", "tensor(int64)": "INT64"}
    sess = session(model_path)
    for decl, actual in ((inputs, sess.get_inputs()), (outputs, sess.get_outputs())):
        got = [(a.name, v2.get(a.type, a.type), [d if isinstance(d, int) else -1 for d in a.shape])
               for a in actual]
        assert got == [(n, t, list(s)) for n, t, s in decl], (model_path, got, decl)


def export_classifier(clf, n_features: int, zipmap: bool) -> onnx.ModelProto:
    options = None if zipmap else {id(clf): {"zipmap": False}}
    model = convert_sklearn(
        clf,
        name=type(clf).__name__,
        initial_types=[("input", FloatTensorType([None, n_features]))],
        target_opset={"": OPSET, "ai.onnx.ml": ML_OPSET},
        options=options,
    )
    return normalize_model(model)


# ---------------------------------------------------------------- iris


def train_iris():
    """LogisticRegression on iris; returns (clf, X_test, y_test). Also used by make_test_models.py."""
    X, y = load_iris(return_X_y=True)
    X = X.astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=SEED)
    clf = LogisticRegression(max_iter=1000, random_state=SEED)
    clf.fit(X_train, y_train)
    return clf, X_test, y_test


# Rows of load_iris() used for the recorded cases and the sample requests.
# setosa, versicolor, virginica, two more, and row 83: a versicolor the model calls virginica
IRIS_SINGLE_ROWS = [0, 50, 100, 25, 75, 83]
IRIS_BATCH_ROWS = [10, 60, 120]               # one of each class in one request
IRIS_REQUEST_ROWS = [0, 100]                  # setosa + virginica


def make_iris() -> dict:
    clf, X_test, y_test = train_iris()
    acc = clf.score(X_test, y_test)
    log(f"iris: LogisticRegression held-out accuracy {acc:.4f} on {len(y_test)} rows")
    assert acc > 0.9

    model = export_classifier(clf, 4, zipmap=False)
    folder = EXAMPLES / "models" / "iris"
    path = folder / "v1" / "model.onnx"
    save_model(model, path)

    inputs = [("input", "FP32", [-1, 4])]
    outputs = [("label", "INT64", [-1]), ("probabilities", "FP32", [-1, 3])]
    check_io(path, inputs, outputs)
    write_text(folder / "model.yaml", model_yaml(
        "iris",
        "Iris species from four flower measurements (scikit-learn LogisticRegression)",
        inputs, outputs, IRIS_LABELS, limits="{maxBatchSize: 1024}"))

    X_all, y_all = load_iris(return_X_y=True)
    X_all = X_all.astype(np.float32)
    sess = session(path)
    cases = [classifier_case(sess, X_all[[r]]) for r in IRIS_SINGLE_ROWS]
    cases.append(classifier_case(sess, X_all[IRIS_BATCH_ROWS]))
    # one of each species among the single-row cases, and the batch is [0, 1, 2]
    assert [c["outputs"]["label"]["data"][0] for c in cases[:3]] == [0, 1, 2]
    assert cases[-1]["outputs"]["label"]["data"] == [0, 1, 2]
    assert_clear_margins(cases, 3)
    # onnxruntime agrees with scikit-learn
    rows = IRIS_SINGLE_ROWS + IRIS_BATCH_ROWS
    label, proba = sess.run(None, {"input": X_all[rows]})
    assert np.array_equal(label, clf.predict(X_all[rows]))
    assert np.allclose(proba, clf.predict_proba(X_all[rows]), atol=1e-5)
    dump_expected(folder / "expected.json", "iris", "v1", cases)
    verify_expected(path, folder / "expected.json")

    req = X_all[IRIS_REQUEST_ROWS]
    dump_json(EXAMPLES / "requests" / "iris.json",
              {"inputs": [{"name": "input", "datatype": "FP32", "shape": list(req.shape), "data": f32(req)}]})
    dump_json(EXAMPLES / "requests" / "iris-v1.json", {"instances": [f32(r) for r in req]})
    label, proba = sess.run(None, {"input": req})
    assert label.tolist() == [0, 2]
    return {"accuracy": acc, "request_label": label, "request_proba": proba}


# ---------------------------------------------------------------- digits


def to_png_pixels(row: np.ndarray) -> np.ndarray:
    """0..16 digit values -> 0..255 grey levels: value*255/16 rounded half up."""
    return np.floor(np.asarray(row, dtype=np.float64) * 255.0 / 16.0 + 0.5).astype(np.uint8).reshape(8, 8)


def from_png_pixels(pixels: np.ndarray) -> np.ndarray:
    """The inverse mapping a client would use: round(pixel*16/255) restores the exact values."""
    return np.rint(pixels.astype(np.float64).ravel() * 16.0 / 255.0).astype(np.float32)


DIGITS_REQUEST = [3, 7]  # the two digits (by class) in the sample request


def make_digits() -> dict:
    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=SEED)
    clf = LogisticRegression(max_iter=5000, random_state=SEED)
    clf.fit(X_train, y_train)
    acc = clf.score(X_test, y_test)
    log(f"digits: LogisticRegression held-out accuracy {acc:.4f} on {len(y_test)} rows")
    assert acc > 0.9

    model = export_classifier(clf, 64, zipmap=False)
    folder = EXAMPLES / "models" / "digits"
    path = folder / "v1" / "model.onnx"
    save_model(model, path)

    inputs = [("input", "FP32", [-1, 64])]
    outputs = [("label", "INT64", [-1]), ("probabilities", "FP32", [-1, 10])]
    check_io(path, inputs, outputs)
    write_text(folder / "model.yaml", model_yaml(
        "digits",
        "Handwritten digit 0-9 from an 8x8 image, 64 pixel values 0..16 row-major "
        "(scikit-learn LogisticRegression)",
        inputs, outputs, DIGIT_LABELS, batching=(32, 2),
        # An uploaded 8x8 grey PNG (examples/images) -> the 64 values 0..16: pixel * 16/255.
        preprocess="{size: [8, 8], channels: gray, scale: 0.06274509803921569, layout: flat}",
        postprocess="{type: classification, output: probabilities, topK: 3}"))

    sess = session(path)
    label, proba = sess.run(None, {"input": X_test})
    assert np.array_equal(label, clf.predict(X_test))
    assert np.allclose(proba, clf.predict_proba(X_test), atol=1e-5)

    # For each class, the held-out digit the model is most confident about (a
    # clean-looking example), among those also classified correctly after a round
    # trip through the PNG without rounding the values back.
    picked = {}
    for i in range(len(y_test)):
        d = int(y_test[i])
        if label[i] != d:
            continue
        pixels = to_png_pixels(X_test[i])
        assert np.array_equal(from_png_pixels(pixels), X_test[i])
        unrounded = (pixels.astype(np.float32).ravel() * 16.0 / 255.0)[None, :]
        if int(sess.run(["label"], {"input": unrounded})[0][0]) != d:
            continue
        if d not in picked or proba[i, d] > proba[picked[d], d]:
            picked[d] = i
    assert sorted(picked) == list(range(10)), picked

    images = EXAMPLES / "images"
    images.mkdir(parents=True, exist_ok=True)
    for d in range(10):
        png = images / f"digit-{d}.png"
        Image.fromarray(to_png_pixels(X_test[picked[d]])).save(png, format="PNG", optimize=False)
        back = np.asarray(Image.open(png))
        assert back.shape == (8, 8) and back.dtype == np.uint8
        assert np.array_equal(from_png_pixels(back), X_test[picked[d]])
    log(f"wrote examples/images/digit-0..9.png (held-out rows {[picked[d] for d in range(10)]})")

    # Held-out digits the model is less sure of (top probability 0.5..0.9, still
    # clear of the runner-up), so that the recorded probabilities are not all ~1.
    top2 = np.sort(proba, axis=1)[:, -2:]
    unsure = [i for i in range(len(y_test))
              if label[i] == y_test[i] and 0.5 < top2[i, 1] < 0.9 and top2[i, 1] - top2[i, 0] > 0.1][:3]
    assert len(unsure) == 3, unsure

    # cases 0..9: the digits saved as digit-<n>.png, in order; 10..12: the less
    # certain ones; 13: one batch of three (digit-1, digit-5 and an unsure one)
    cases = [classifier_case(sess, X_test[[picked[d]]]) for d in range(10)]
    cases += [classifier_case(sess, X_test[[i]]) for i in unsure]
    cases.append(classifier_case(sess, X_test[[picked[1], picked[5], unsure[0]]]))
    assert [c["outputs"]["label"]["data"][0] for c in cases[:10]] == list(range(10))
    assert_clear_margins(cases, 10)
    dump_expected(folder / "expected.json", "digits", "v1", cases)
    verify_expected(path, folder / "expected.json")

    req = X_test[[picked[d] for d in DIGITS_REQUEST]]
    dump_json(EXAMPLES / "requests" / "digits.json",
              {"inputs": [{"name": "input", "datatype": "FP32", "shape": list(req.shape), "data": f32(req)}]})
    dump_json(EXAMPLES / "requests" / "digits-v1.json", {"instances": [f32(r) for r in req]})
    rlabel, rproba = sess.run(None, {"input": req})
    assert rlabel.tolist() == DIGITS_REQUEST
    return {"accuracy": acc, "request_label": rlabel, "request_proba": rproba}


def main() -> int:
    log(f"numpy {np.__version__}, onnx {onnx.__version__}, onnxruntime {ort.__version__}")
    iris = make_iris()
    digits = make_digits()
    for name, res in (("iris", iris), ("digits", digits)):
        log(f"requests/{name}.json -> label {res['request_label'].tolist()}, "
            f"probabilities {res['request_proba'].astype(np.float64).round(4).tolist()}")
    return 0


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
