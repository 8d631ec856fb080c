#!/usr/bin/env python3
"""The iris example model for MLServer: the same fitted LogisticRegression as a joblib file.

    python bench/models/make_iris_mlserver.py <out-dir> <parallel-workers> <http> <grpc> <metrics>

Fits exactly as examples/scripts/make_models.py's train_iris() does (same data, float32, same
stratified split and seed, same estimator settings), so MLServer serves the estimator that
examples/models/iris/v1/model.onnx was exported from. Checks that it labels the benchmark request
(examples/requests/iris.json) [0, 2] as the ONNX model does, then writes <out-dir>/settings.json
and <out-dir>/iris/{model.joblib, model-settings.json} for `mlserver start <out-dir>`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import joblib
import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

REPO = Path(__file__).resolve().parents[2]
SEED = 0  # examples/scripts/make_models.py


def train_iris() -> LogisticRegression:
    X, y = load_iris(return_X_y=True)
    X = X.astype(np.float32)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, stratify=y, random_state=SEED)
    clf = LogisticRegression(max_iter=1000, random_state=SEED)
    clf.fit(X_train, y_train)
    return clf


def main() -> None:
    out, workers = Path(sys.argv[1]), int(sys.argv[2])
    port, grpc_port, metrics_port = (int(a) for a in sys.argv[3:6])
    clf = train_iris()
    request = json.loads((REPO / "examples" / "requests" / "iris.json").read_text())["inputs"][0]
    rows = np.asarray(request["data"], dtype=np.float32).reshape(request["shape"])
    assert clf.predict(rows).tolist() == [0, 2], clf.predict(rows)

    model_dir = out / "iris"
    model_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(clf, model_dir / "model.joblib")
    (model_dir / "model-settings.json").write_text(json.dumps({
        "name": "iris",
        "implementation": "mlserver_sklearn.SKLearnModel",
        "parameters": {"uri": "./model.joblib", "version": "v1"},
    }, indent=2) + "\n")
    (out / "settings.json").write_text(json.dumps({
        "host": "127.0.0.1",
        "http_port": port,
        "grpc_port": grpc_port,
        "metrics_port": metrics_port,
        "parallel_workers": workers,
        "debug": False,
    }, indent=2) + "\n")


if __name__ == "__main__":
    main()
