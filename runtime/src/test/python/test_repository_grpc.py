"""tritonclient.grpc's model repository calls against Skiff in explicit mode.

RepositoryApiIT starts the runtime with --model-control=explicit and --load-model iris, with gRPC
on a free port (SKIFF_GRPC), and runs this file.
"""

import os

import grpc
import numpy as np
import pytest
import tritonclient.grpc as triton
from tritonclient.utils import InferenceServerException


@pytest.fixture(scope="module")
def client():
    c = triton.InferenceServerClient(url=os.environ["SKIFF_GRPC"])
    yield c
    c.close()


def index(client, model):
    rows = client.get_model_repository_index(as_json=True).get("models", [])
    return [row for row in rows if row["name"] == model]


def test_the_repository_extension_is_advertised_over_grpc(client):
    assert client.get_server_metadata(as_json=True)["extensions"] == ["model_repository"]


def test_index_load_infer_unload(client):
    assert index(client, "iris")[0]["state"] == "READY"
    assert index(client, "digits")[0]["state"] == "UNAVAILABLE"
    assert not client.is_model_ready("digits")

    client.load_model("digits")
    assert client.is_model_ready("digits")
    assert index(client, "digits") == [{"name": "digits", "version": "v1", "state": "READY"}]
    tensor = triton.InferInput("input", [1, 64], "FP32")
    tensor.set_data_from_numpy(np.zeros((1, 64), dtype=np.float32))
    assert client.infer("digits", [tensor]).as_numpy("probabilities").shape == (1, 10)

    client.unload_model("digits")
    assert not client.is_model_ready("digits")
    assert index(client, "digits") == [
        {"name": "digits", "version": "v1", "state": "UNAVAILABLE", "reason": "unloaded"}
    ]


def test_refusals_carry_the_right_status_and_name_the_problem(client):
    with pytest.raises(InferenceServerException) as unknown:
        client.load_model("no-such-model")
    assert unknown.value.status() == str(grpc.StatusCode.NOT_FOUND)
    assert "model 'no-such-model' not found" in unknown.value.message()
    with pytest.raises(InferenceServerException) as config:
        client.load_model("iris", config='{"max_batch_size": 8}')
    assert config.value.status() == str(grpc.StatusCode.INVALID_ARGUMENT)
    assert "load parameters [config] are not supported" in config.value.message()
