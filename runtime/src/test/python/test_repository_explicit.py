"""tritonclient.http's model repository calls against Skiff in explicit mode.

RepositoryApiIT starts the runtime with --model-control=explicit and --load-model iris,slow-iris
on a temporary copy of the example models (SKIFF_REPO) and runs this file with SKIFF_URL.
"""

import json
import os
import pathlib
import shutil
import urllib.request

import numpy as np
import pytest
import tritonclient.http as triton
from tritonclient.utils import InferenceServerException

HOSTPORT = os.environ["SKIFF_URL"].removeprefix("http://")
REPO = pathlib.Path(os.environ["SKIFF_REPO"])
IRIS_ROWS = np.array([[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5]], dtype=np.float32)


@pytest.fixture(scope="module")
def client():
    c = triton.InferenceServerClient(url=HOSTPORT, network_timeout=120)
    yield c
    c.close()


def labels(client, model, rows=IRIS_ROWS):
    inp = triton.InferInput("input", list(rows.shape), "FP32")
    inp.set_data_from_numpy(rows)
    return client.infer(model, [inp], outputs=[triton.InferRequestedOutput("label")]).as_numpy(
        "label"
    ).tolist()


def rows_of(client, model):
    return [row for row in client.get_model_repository_index() if row["name"] == model]


def test_extensions_name_the_repository_extension(client):
    extensions = client.get_server_metadata()["extensions"]
    assert "model_repository" in extensions
    assert "model_repository_readiness" not in extensions


def test_index_lists_loaded_and_not_loaded_models(client):
    index = client.get_model_repository_index()
    assert {"name": "iris", "version": "v1", "state": "READY", "reason": ""} in index
    digits = rows_of(client, "digits")
    assert [r["state"] for r in digits] == ["UNAVAILABLE"]
    assert "not loaded at start" in digits[0]["reason"]
    assert client.is_server_ready(), "a model not asked for does not block readiness"
    assert not client.is_model_ready("digits")


def test_load_then_infer_then_unload(client):
    client.load_model("digits")
    assert client.is_model_ready("digits")
    assert client.is_model_ready("digits", "v1")
    pixels = np.zeros((1, 64), dtype=np.float32)
    inp = triton.InferInput("input", [1, 64], "FP32")
    inp.set_data_from_numpy(pixels)
    assert client.infer("digits", [inp]).as_numpy("probabilities").shape == (1, 10)
    assert [r["state"] for r in rows_of(client, "digits")] == ["READY"]

    client.unload_model("digits")
    assert not client.is_model_ready("digits")
    assert rows_of(client, "digits") == [
        {"name": "digits", "version": "v1", "state": "UNAVAILABLE", "reason": "unloaded"}
    ]
    request = urllib.request.Request(
        f"http://{HOSTPORT}/v2/repository/index", data=b'{"ready": true}', method="POST"
    )
    with urllib.request.urlopen(request) as response:
        ready_only = json.loads(response.read())
    assert {r["state"] for r in ready_only} == {"READY"}
    assert "digits" not in {r["name"] for r in ready_only}


def test_a_failed_reload_keeps_the_serving_version(client):
    model_file = REPO / "iris" / "v1" / "model.onnx"
    good = model_file.read_bytes()
    model_file.write_bytes(b"this is not an onnx model")
    try:
        with pytest.raises(InferenceServerException) as failed:
            client.load_model("iris")
        assert failed.value.status() == "400"
        assert "model 'iris' version 'v1'" in failed.value.message()
        assert client.is_model_ready("iris")
        assert labels(client, "iris") == [0, 2]
        [row] = rows_of(client, "iris")
        assert row["state"] == "READY"
        assert "the last load failed" in row["reason"]
    finally:
        model_file.write_bytes(good)
    client.load_model("iris")
    assert rows_of(client, "iris")[0]["reason"] == ""


def test_a_new_version_folder_is_served_after_a_reload(client):
    shutil.copytree(REPO / "iris" / "v1", REPO / "iris" / "v2")
    assert not client.is_model_ready("iris", "v2")
    client.load_model("iris")
    assert client.is_model_ready("iris", "v2")
    assert client.get_model_metadata("iris")["versions"] == ["v1", "v2"]


def test_unknown_models_and_parameters_are_refused(client):
    with pytest.raises(InferenceServerException) as unknown:
        client.load_model("no-such-model")
    assert unknown.value.status() == "404"
    assert "model 'no-such-model' not found" in unknown.value.message()
    with pytest.raises(InferenceServerException) as config:
        client.load_model("iris", config='{"max_batch_size": 8}')
    assert config.value.status() == "400"
    assert "not supported" in config.value.message()
