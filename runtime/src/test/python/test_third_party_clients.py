"""Clients that nobody on this project wrote, run against a live Skiff runtime.

The Java test ThirdPartyClientsIT starts the runtime on the example models and runs this file with
SKIFF_URL (e.g. http://127.0.0.1:41234) in the environment.
"""

import asyncio
import json
import os
import pathlib

import numpy as np
import pytest
import tritonclient.http as triton
from tritonclient.utils import InferenceServerException

URL = os.environ["SKIFF_URL"]
HOSTPORT = URL.removeprefix("http://")
EXAMPLES = pathlib.Path(os.environ.get("SKIFF_EXAMPLES", "../examples"))
IRIS_ROWS = np.array([[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5]], dtype=np.float32)


@pytest.fixture(scope="module")
def client():
    c = triton.InferenceServerClient(url=HOSTPORT)
    yield c
    c.close()


def test_triton_server_and_model_metadata(client):
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.get_server_metadata()["name"] == "skiff"
    assert client.is_model_ready("iris")
    assert client.is_model_ready("iris", "v1")
    meta = client.get_model_metadata("iris")
    assert meta["name"] == "iris"
    assert meta["versions"] == ["v1"]
    assert meta["inputs"] == [{"name": "input", "datatype": "FP32", "shape": [-1, 4]}]
    assert [o["name"] for o in meta["outputs"]] == ["label", "probabilities"]


def test_triton_infer_json(client):
    inp = triton.InferInput("input", list(IRIS_ROWS.shape), "FP32")
    inp.set_data_from_numpy(IRIS_ROWS, binary_data=False)
    outputs = [
        triton.InferRequestedOutput("label", binary_data=False),
        triton.InferRequestedOutput("probabilities", binary_data=False),
    ]
    result = client.infer("iris", [inp], outputs=outputs, request_id="triton-1")
    assert result.get_response()["id"] == "triton-1"
    assert result.as_numpy("label").tolist() == [0, 2]
    probabilities = result.as_numpy("probabilities")
    assert probabilities.shape == (2, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), [1.0, 1.0], rtol=1e-5)


def test_triton_infer_with_version_and_one_output(client):
    digits = json.loads((EXAMPLES / "requests" / "digits.json").read_text())["inputs"][0]
    data = np.array(digits["data"], dtype=np.float32).reshape(digits["shape"])
    inp = triton.InferInput("input", list(data.shape), "FP32")
    inp.set_data_from_numpy(data, binary_data=False)
    result = client.infer(
        "digits",
        [inp],
        model_version="v1",
        outputs=[triton.InferRequestedOutput("label", binary_data=False)],
    )
    assert result.as_numpy("label").tolist() == [3, 7]
    assert result.as_numpy("probabilities") is None


def test_triton_sees_clear_errors(client):
    bad = triton.InferInput("input", [1, 3], "FP32")
    bad.set_data_from_numpy(np.zeros((1, 3), dtype=np.float32), binary_data=False)
    with pytest.raises(InferenceServerException, match=r"has shape \[1, 3\] but the model expects \[-1, 4\]"):
        client.infer("iris", [bad])
    with pytest.raises(InferenceServerException, match="model 'nope' not found"):
        client.get_model_metadata("nope")


def test_kserve_v2_and_v1_clients():
    from kserve import InferenceRESTClient, InferInput, InferRequest, RESTConfig

    async def run():
        v2 = InferenceRESTClient(RESTConfig(protocol="v2"))
        # `is True`: the SDK returns the body's field, None when the body lacks it
        assert await v2.is_server_live(URL) is True
        assert await v2.is_server_ready(URL) is True
        assert await v2.is_model_ready(URL, "iris") is True
        request = InferRequest(
            model_name="iris",
            infer_inputs=[InferInput("input", [2, 4], "FP32", data=IRIS_ROWS.flatten().tolist())],
            request_id="kserve-1",
        )
        response = await v2.infer(URL, request, model_name="iris")
        assert response.id == "kserve-1"
        labels = next(o for o in response.outputs if o.name == "label")
        assert labels.data == [0, 2]
        await v2.close()

        v1 = InferenceRESTClient(RESTConfig(protocol="v1"))
        assert await v1.is_server_live(URL) is True
        assert await v1.is_model_ready(URL, "iris") is True
        body = json.loads((EXAMPLES / "requests" / "iris-v1.json").read_text())
        answer = await v1.infer(URL, body, model_name="iris")
        assert [p["label"] for p in answer["predictions"]] == [0, 2]
        await v1.close()

    asyncio.run(run())


def test_triton_binary_tensors_in_and_out(client):
    inp = triton.InferInput("input", list(IRIS_ROWS.shape), "FP32")
    inp.set_data_from_numpy(IRIS_ROWS, binary_data=True)
    outputs = [
        triton.InferRequestedOutput("label", binary_data=True),
        triton.InferRequestedOutput("probabilities", binary_data=True),
    ]
    result = client.infer("iris", [inp], outputs=outputs, request_id="triton-bin")
    assert result.get_response()["id"] == "triton-bin"
    assert result.get_output("label")["parameters"]["binary_data_size"] == 2 * 8
    assert result.as_numpy("label").tolist() == [0, 2]
    probabilities = result.as_numpy("probabilities")
    assert probabilities.dtype == np.float32 and probabilities.shape == (2, 3)

    # the same rows as JSON give the same numbers, bit for bit
    as_json = triton.InferInput("input", list(IRIS_ROWS.shape), "FP32")
    as_json.set_data_from_numpy(IRIS_ROWS, binary_data=False)
    json_outputs = [triton.InferRequestedOutput("probabilities", binary_data=False)]
    reference = client.infer("iris", [as_json], outputs=json_outputs).as_numpy("probabilities")
    np.testing.assert_array_equal(probabilities, reference)


def test_triton_binary_outputs_when_none_are_named(client):
    # With no outputs named, tritonclient asks for every output as binary (binary_data_output).
    inp = triton.InferInput("input", [1, 4], "FP32")
    inp.set_data_from_numpy(IRIS_ROWS[:1], binary_data=True)
    result = client.infer("iris", [inp])
    assert "data" not in result.get_output("probabilities")
    assert result.as_numpy("label").tolist() == [0]
    assert result.as_numpy("probabilities").shape == (1, 3)


def test_triton_binary_input_with_json_and_binary_outputs(client):
    digits = json.loads((EXAMPLES / "requests" / "digits.json").read_text())["inputs"][0]
    data = np.array(digits["data"], dtype=np.float32).reshape(digits["shape"])
    inp = triton.InferInput("input", list(data.shape), "FP32")
    inp.set_data_from_numpy(data, binary_data=True)
    outputs = [
        triton.InferRequestedOutput("label", binary_data=False),
        triton.InferRequestedOutput("probabilities", binary_data=True),
    ]
    result = client.infer("digits", [inp], model_version="v1", outputs=outputs)
    assert result.get_output("label")["data"] == [3, 7]
    assert result.as_numpy("label").tolist() == [3, 7]
    probabilities = result.as_numpy("probabilities")
    assert probabilities.shape == (2, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), [1.0, 1.0], rtol=1e-5)
    assert probabilities.argmax(axis=1).tolist() == [3, 7]


@pytest.mark.parametrize("algorithm", ["gzip", "deflate"])
def test_triton_compressed_requests(client, algorithm):
    inp = triton.InferInput("input", list(IRIS_ROWS.shape), "FP32")
    inp.set_data_from_numpy(IRIS_ROWS, binary_data=True)
    result = client.infer("iris", [inp], request_compression_algorithm=algorithm)
    assert result.as_numpy("label").tolist() == [0, 2]


@pytest.mark.parametrize("binary", [False, True])
def test_triton_classification_extension(client, binary):
    inp = triton.InferInput("input", list(IRIS_ROWS.shape), "FP32")
    inp.set_data_from_numpy(IRIS_ROWS, binary_data=binary)
    outputs = [
        triton.InferRequestedOutput("probabilities", binary_data=binary, class_count=2),
        triton.InferRequestedOutput("label", binary_data=binary),
    ]
    result = client.infer("iris", [inp], outputs=outputs)
    assert result.get_output("probabilities")["datatype"] == "BYTES"
    classes = result.as_numpy("probabilities")
    assert classes.shape == (2, 2)
    # tritonclient gives bytes for binary BYTES outputs and str for JSON ones
    text = [[e.decode() if isinstance(e, bytes) else e for e in row] for row in classes]
    rows = [[entry.split(":") for entry in row] for row in text]
    assert [[(index, label) for _, index, label in row][0] for row in rows] == [
        ("0", "setosa"),
        ("2", "virginica"),
    ]
    scores = [[float(score) for score, _, _ in row] for row in rows]
    assert all(row[0] >= row[1] for row in scores)
    assert scores[0][0] == pytest.approx(0.978491, abs=1e-6)
    assert result.as_numpy("label").tolist() == [0, 2]


def test_openapi_document_is_valid_openapi():
    """The served /openapi validates against the OpenAPI 3.0 schema (openapi-spec-validator)."""
    import urllib.request

    from openapi_spec_validator import validate

    with urllib.request.urlopen(URL + "/openapi") as response:
        document = json.load(response)
    validate(document)
    assert "/v2/models/iris/infer" in document["paths"]
