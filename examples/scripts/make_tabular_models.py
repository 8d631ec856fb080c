#!/usr/bin/env python3
"""Train the SVM and XGBoost example classifiers, export them to ONNX and keep the native models
MLServer serves for the comparison test (issue 15).

Writes (paths relative to the repository root):

  examples/models/digits-svm/v1/model.onnx       sklearn.svm.SVC (probability=True), skl2onnx
  examples/models/digits-svm/{model.yaml, expected.json}
  examples/models/digits-xgboost/v1/model.onnx   xgboost.XGBClassifier, onnxmltools
  examples/models/digits-xgboost/{model.yaml, expected.json}
  runtime/src/test/resources/mlserver/digits-svm/{model.joblib, model-settings.json}
  runtime/src/test/resources/mlserver/digits-xgboost/{model.json, model-settings.json}
  runtime/src/test/resources/mlserver/digits-heldout.json   the held-out rows and their truth

The seed's MLServer example trains these two on Fashion-MNIST. No package on the Python index
ships Fashion-MNIST (the ones named for it download it at run time), so the data is the 8x8
digits set bundled inside scikit-learn, split as make_models.py splits it for the `digits`
example (75/25 stratified, seed 0). Run it through make_models.sh (`make models`).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import joblib
import numpy as np
import onnxmltools
import sklearn
import xgboost
from onnxmltools.convert.common.data_types import FloatTensorType
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_models as mm  # noqa: E402  (shares export, model.yaml and expected.json helpers)

MLSERVER = mm.REPO / "runtime" / "src" / "test" / "resources" / "mlserver"
N_FEATURES = 64
INPUTS = [("input", "FP32", [-1, N_FEATURES])]
OUTPUTS = [("label", "INT64", [-1]), ("probabilities", "FP32", [-1, 10])]
# Held-out rows recorded in expected.json (by position in the held-out set), then one batch of three.
CASE_ROWS = [0, 1, 2, 3, 4]
BATCH_ROWS = [5, 6, 7]


def split():
    """The digits example's split: float32 rows 0..16, 75/25 stratified, seed 0."""
    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float32)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=mm.SEED)


def export_xgboost(clf: xgboost.XGBClassifier):
    model = onnxmltools.convert_xgboost(
        clf, name="XGBClassifier",
        initial_types=[("input", FloatTensorType([None, N_FEATURES]))],
        # onnxmltools 1.16 converts to opset 15 at most; its nodes (TreeEnsembleClassifier and
        # a few of ai.onnx) mean the same at 17, which normalize_model declares.
        target_opset=15)
    return mm.normalize_model(model)


def write_example(name: str, description: str, model, sess_check, X_test, y_test) -> float:
    """model.yaml, v1/model.onnx and expected.json of one example; returns ONNX accuracy."""
    folder = mm.EXAMPLES / "models" / name
    path = folder / "v1" / "model.onnx"
    mm.save_model(model, path)
    mm.check_io(path, INPUTS, OUTPUTS)
    mm.write_text(folder / "model.yaml", mm.model_yaml(
        name, description, INPUTS, OUTPUTS, mm.DIGIT_LABELS, limits="{maxBatchSize: 1024}"))
    sess = mm.session(path)
    label, proba = sess.run(None, {"input": X_test})
    sess_check(label, proba)
    cases = [mm.classifier_case(sess, X_test[[r]]) for r in CASE_ROWS]
    cases.append(mm.classifier_case(sess, X_test[BATCH_ROWS]))
    mm.assert_clear_margins(cases, 10)
    mm.dump_expected(folder / "expected.json", name, "v1", cases)
    mm.verify_expected(path, folder / "expected.json")
    acc = float(np.mean(label == y_test))
    mm.log(f"{name}: ONNX held-out accuracy {acc:.4f} on {len(y_test)} rows")
    return acc


def write_mlserver_settings(name: str, implementation: str, uri: str) -> None:
    mm.write_text(MLSERVER / name / "model-settings.json", json.dumps({
        "name": name,
        "implementation": implementation,
        "parameters": {"uri": uri, "version": "v1"},
    }, indent=2) + "\n")


def make_svm(X_train, X_test, y_train, y_test) -> None:
    # probability=True: Platt-scaled probabilities, as the seed's MLServer SVM; its internal
    # cross-validation is seeded so the file is the same on every run.
    clf = SVC(probability=True, random_state=mm.SEED)
    clf.fit(X_train, y_train)
    mm.log(f"digits-svm: scikit-learn held-out accuracy {clf.score(X_test, y_test):.4f}")

    def agrees(label, proba):
        assert np.allclose(proba, clf.predict_proba(X_test), atol=1e-4)
        mm.log(f"digits-svm: ONNX label == SVC.predict on {int(np.sum(label == clf.predict(X_test)))}"
               f" of {len(y_test)} rows")

    model = mm.export_classifier(clf, N_FEATURES, zipmap=False)
    write_example("digits-svm",
                  "Handwritten digit 0-9 from an 8x8 image, 64 pixel values 0..16 row-major "
                  "(scikit-learn SVC, RBF kernel, Platt probabilities)",
                  model, agrees, X_test, y_test)
    path = MLSERVER / "digits-svm" / "model.joblib"
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(clf, path)
    mm.log(f"wrote {path.relative_to(mm.REPO)} ({path.stat().st_size} bytes)")
    write_mlserver_settings("digits-svm", "mlserver_sklearn.SKLearnModel", "./model.joblib")


def make_xgboost(X_train, X_test, y_train, y_test) -> None:
    # Small enough to keep the files lean (< 1 MB), single-threaded for identical bytes.
    clf = xgboost.XGBClassifier(n_estimators=60, max_depth=4, learning_rate=0.3, n_jobs=1,
                                random_state=mm.SEED, tree_method="hist")
    clf.fit(X_train, y_train)
    mm.log(f"digits-xgboost: xgboost held-out accuracy {clf.score(X_test, y_test):.4f}")

    def agrees(label, proba):
        assert np.allclose(proba, clf.predict_proba(X_test), atol=1e-4)
        assert np.array_equal(label, clf.predict(X_test))

    write_example("digits-xgboost",
                  "Handwritten digit 0-9 from an 8x8 image, 64 pixel values 0..16 row-major "
                  "(XGBoost gradient-boosted trees, 60 rounds, depth 4)",
                  export_xgboost(clf), agrees, X_test, y_test)
    path = MLSERVER / "digits-xgboost" / "model.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    clf.save_model(path)
    mm.log(f"wrote {path.relative_to(mm.REPO)} ({path.stat().st_size} bytes)")
    write_mlserver_settings("digits-xgboost", "mlserver_xgboost.XGBoostModel", "./model.json")


def main() -> int:
    mm.log(f"scikit-learn {sklearn.__version__}, xgboost {xgboost.__version__}, "
           f"onnxmltools {onnxmltools.__version__}")
    X_train, X_test, y_train, y_test = split()
    make_svm(X_train, X_test, y_train, y_test)
    make_xgboost(X_train, X_test, y_train, y_test)
    # The rows are whole numbers 0..16, written as integers; the test sends them as FP32.
    mm.dump_json(MLSERVER / "digits-heldout.json",
                 {"shape": list(X_test.shape), "data": mm.ints(X_test), "truth": mm.ints(y_test)})
    return 0


if __name__ == "__main__":
    os.chdir(mm.REPO)
    sys.exit(main())
