"""Skiff in poll mode seen through tritonclient.http: the repository folder is the control.

RepositoryApiIT starts the runtime with --model-control=poll (1 s interval) on a temporary
repository holding iris (SKIFF_REPO) and runs this file with SKIFF_URL and SKIFF_EXAMPLES.
"""

import os
import pathlib
import shutil
import time

import numpy as np
import pytest
import tritonclient.http as triton
from tritonclient.utils import InferenceServerException

HOSTPORT = os.environ["SKIFF_URL"].removeprefix("http://")
REPO = pathlib.Path(os.environ["SKIFF_REPO"])
EXAMPLES = pathlib.Path(os.environ["SKIFF_EXAMPLES"])


def wait_for(condition, what):
    """The poller acts within a few scans; a generous deadline, never a timing assertion."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting until " + what)


def digits_row(client):
    rows = [r for r in client.get_model_repository_index() if r["name"] == "digits"]
    return rows[0] if rows else None


def predict_digits(client):
    inp = triton.InferInput("input", [1, 64], "FP32")
    inp.set_data_from_numpy(np.zeros((1, 64), dtype=np.float32))
    return client.infer("digits", [inp]).as_numpy("probabilities").shape


def test_the_poller_follows_the_folder():
    client = triton.InferenceServerClient(url=HOSTPORT)
    with pytest.raises(InferenceServerException) as refused:
        client.load_model("iris")
    assert "--model-control=poll" in refused.value.message()

    shutil.copytree(EXAMPLES / "models" / "digits", REPO / "digits")
    wait_for(lambda: client.is_model_ready("digits"), "a copied-in model is ready")
    assert predict_digits(client) == (1, 10)

    shutil.copytree(REPO / "digits" / "v1", REPO / "digits" / "v2")
    wait_for(lambda: client.is_model_ready("digits", "v2"), "a changed model is reloaded")
    assert client.get_model_metadata("digits")["versions"] == ["v1", "v2"]

    (REPO / "digits" / "v2" / "model.onnx").write_bytes(b"corrupt")
    wait_for(
        lambda: "the last load failed" in (digits_row(client) or {}).get("reason", ""),
        "the index says why the reload failed",
    )
    assert client.is_model_ready("digits", "v2"), "the old version keeps serving"
    assert predict_digits(client) == (1, 10)

    shutil.rmtree(REPO / "digits")
    wait_for(lambda: not client.is_model_ready("digits"), "a removed model is unloaded")
    assert digits_row(client)["reason"] == "its folder was removed from the repository"
    assert client.is_model_ready("iris")
    client.close()
