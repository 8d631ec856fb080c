"""Bearer-token auth over V2 gRPC, against a live Skiff runtime started with a token.

GrpcClientsIT starts the runtime with SKIFF_TOKEN as its only token and runs this file with
SKIFF_GRPC (host:port). tritonclient.grpc sends the token as `authorization` metadata.
"""

import os

import numpy as np
import pytest
import tritonclient.grpc as tgrpc
from tritonclient.utils import InferenceServerException

GRPC = os.environ["SKIFF_GRPC"]
TOKEN = os.environ["SKIFF_TOKEN"]
ROWS = np.array([[5.1, 3.5, 1.4, 0.2]], dtype=np.float32)


@pytest.fixture(scope="module")
def client():
    c = tgrpc.InferenceServerClient(url=GRPC)
    yield c
    c.close()


def iris_input():
    inp = tgrpc.InferInput("input", list(ROWS.shape), "FP32")
    inp.set_data_from_numpy(ROWS)
    return inp


def test_probes_need_no_token(client):
    assert client.is_server_live()
    assert client.is_server_ready()


def test_no_token_is_unauthenticated(client):
    with pytest.raises(InferenceServerException) as raised:
        client.infer("iris", [iris_input()])
    assert raised.value.status() == "StatusCode.UNAUTHENTICATED"
    assert "requires 'authorization: Bearer <token>' metadata" in raised.value.message()
    with pytest.raises(InferenceServerException) as raised:
        client.get_model_metadata("iris")
    assert raised.value.status() == "StatusCode.UNAUTHENTICATED"


def test_wrong_token_is_unauthenticated(client):
    with pytest.raises(InferenceServerException) as raised:
        client.infer("iris", [iris_input()], headers={"authorization": "Bearer not-" + TOKEN})
    assert raised.value.status() == "StatusCode.UNAUTHENTICATED"
    assert "the bearer token is not valid" in raised.value.message()
    with pytest.raises(InferenceServerException) as raised:
        client.infer("iris", [iris_input()], headers={"authorization": "Basic " + TOKEN})
    assert raised.value.status() == "StatusCode.UNAUTHENTICATED"
    assert "must use the Bearer scheme" in raised.value.message()


def test_right_token_is_served(client):
    result = client.infer("iris", [iris_input()], headers={"authorization": "Bearer " + TOKEN})
    assert result.as_numpy("label").tolist() == [0]
    assert client.get_model_metadata("iris", headers={"authorization": "Bearer " + TOKEN}).name == "iris"
