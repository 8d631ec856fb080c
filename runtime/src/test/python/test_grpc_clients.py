"""V2 gRPC clients that nobody on this project wrote, run against a live Skiff runtime.

The Java test GrpcClientsIT starts the runtime on the example models with gRPC on and runs this
file with SKIFF_GRPC (host:port), SKIFF_URL and SKIFF_MAX_MESSAGE (the server's payload limit).
Hostile requests go through tritonclient's own generated stubs (service_pb2), unmodified, so the
server sees exactly what a client could send.
"""

import json
import os
import pathlib
import re

import grpc
import numpy as np
import pytest
import tritonclient.grpc as tgrpc
from tritonclient.grpc import service_pb2, service_pb2_grpc
from tritonclient.utils import InferenceServerException

GRPC = os.environ["SKIFF_GRPC"]
MAX_MESSAGE = int(os.environ["SKIFF_MAX_MESSAGE"])
EXAMPLES = pathlib.Path(os.environ.get("SKIFF_EXAMPLES", "../examples"))
IRIS_ROWS = np.array([[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5]], dtype=np.float32)


def digits_rows():
    digits = json.loads((EXAMPLES / "requests" / "digits.json").read_text())["inputs"][0]
    return np.array(digits["data"], dtype=np.float32).reshape(digits["shape"])


@pytest.fixture(scope="module")
def client():
    c = tgrpc.InferenceServerClient(url=GRPC)
    yield c
    c.close()


@pytest.fixture(scope="module")
def stub():
    channel = grpc.insecure_channel(
        GRPC, options=[("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)]
    )
    yield service_pb2_grpc.GRPCInferenceServiceStub(channel)
    channel.close()


def test_triton_grpc_server_and_model_metadata(client):
    assert client.is_server_live()
    assert client.is_server_ready()
    server = client.get_server_metadata(as_json=True)
    assert server["name"] == "skiff"
    assert server["version"]
    assert client.is_model_ready("iris")
    assert client.is_model_ready("iris", "v1")
    meta = client.get_model_metadata("iris", as_json=True)
    assert meta["name"] == "iris"
    assert meta["versions"] == ["v1"]
    assert meta["platform"]
    assert meta["inputs"] == [{"name": "input", "datatype": "FP32", "shape": ["-1", "4"]}]
    assert [o["name"] for o in meta["outputs"]] == ["label", "probabilities"]


def test_triton_grpc_infer_raw_iris(client):
    inp = tgrpc.InferInput("input", list(IRIS_ROWS.shape), "FP32")
    inp.set_data_from_numpy(IRIS_ROWS)  # tritonclient.grpc always sends raw_input_contents
    result = client.infer("iris", [inp], request_id="grpc-1")
    assert result.get_response().id == "grpc-1"
    assert result.get_response().model_name == "iris"
    assert result.get_response().model_version == "v1"
    assert result.as_numpy("label").tolist() == [0, 2]
    probabilities = result.as_numpy("probabilities")
    assert probabilities.shape == (2, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), [1.0, 1.0], rtol=1e-5)


def test_triton_grpc_requested_output_and_version_on_batched_digits(client):
    data = digits_rows()
    inp = tgrpc.InferInput("input", list(data.shape), "FP32")
    inp.set_data_from_numpy(data)
    result = client.infer(
        "digits", [inp], model_version="v1", outputs=[tgrpc.InferRequestedOutput("label")]
    )
    assert result.as_numpy("label").tolist() == [3, 7]
    assert result.as_numpy("probabilities") is None
    assert [o.name for o in result.get_response().outputs] == ["label"]


def test_grpc_answers_match_rest_expectations_for_every_digits_case(client):
    cases = json.loads((EXAMPLES / "models" / "digits" / "expected.json").read_text())
    for case in cases["cases"]:
        given = case["inputs"]["input"]
        data = np.array(given["data"], dtype=np.float32).reshape(given["shape"])
        inp = tgrpc.InferInput("input", list(data.shape), "FP32")
        inp.set_data_from_numpy(data)
        result = client.infer("digits", [inp])
        for name, want in case["outputs"].items():
            got = result.as_numpy(name)
            assert list(got.shape) == want["shape"]
            np.testing.assert_allclose(
                got.flatten().astype(np.float64), want["data"], atol=case["tolerance"]
            )


def test_typed_contents_request(stub):
    request = service_pb2.ModelInferRequest(model_name="iris", id="typed-1")
    tensor = request.inputs.add(name="input", datatype="FP32", shape=[2, 4])
    tensor.contents.fp32_contents.extend(IRIS_ROWS.flatten().tolist())
    response = stub.ModelInfer(request)
    assert response.id == "typed-1"
    assert [o.name for o in response.outputs] == ["label", "probabilities"]
    labels = np.frombuffer(response.raw_output_contents[0], dtype="<i8")
    assert labels.tolist() == [0, 2]
    assert list(response.outputs[1].shape) == [2, 3]


def test_request_id_metadata_is_echoed(stub):
    request = service_pb2.ModelInferRequest(model_name="iris")
    tensor = request.inputs.add(name="input", datatype="FP32", shape=[1, 4])
    tensor.contents.fp32_contents.extend(IRIS_ROWS[0].tolist())
    response, call = stub.ModelInfer.with_call(request, metadata=[("x-request-id", "trace-42")])
    assert dict(call.initial_metadata())["x-request-id"] == "trace-42"
    assert response.id == "trace-42"  # no id in the message: the metadata's, as REST does


# --- errors, each with the right status and a message naming the problem ---


def expect(stub_call, code, pattern):
    with pytest.raises(grpc.RpcError) as raised:
        stub_call()
    assert raised.value.code() == code, raised.value.details()
    assert re.search(pattern, raised.value.details()), raised.value.details()


def iris_request(datatype="FP32", shape=(1, 4)):
    request = service_pb2.ModelInferRequest(model_name="iris")
    request.inputs.add(name="input", datatype=datatype, shape=list(shape))
    return request


def test_triton_grpc_sees_clear_errors(client):
    bad = tgrpc.InferInput("input", [1, 3], "FP32")
    bad.set_data_from_numpy(np.zeros((1, 3), dtype=np.float32))
    with pytest.raises(InferenceServerException) as raised:
        client.infer("iris", [bad])
    assert raised.value.status() == "StatusCode.INVALID_ARGUMENT"
    assert "has shape [1, 3] but the model expects [-1, 4]" in raised.value.message()
    with pytest.raises(InferenceServerException) as raised:
        client.get_model_metadata("nope")
    assert raised.value.status() == "StatusCode.NOT_FOUND"
    assert "model 'nope' not found" in raised.value.message()


def test_wrong_dtype(stub):
    request = iris_request(datatype="INT64")
    request.raw_input_contents.append(np.zeros((1, 4), dtype="<i8").tobytes())
    expect(
        lambda: stub.ModelInfer(request),
        grpc.StatusCode.INVALID_ARGUMENT,
        r"input 'input' has datatype INT64 but the model expects FP32",
    )


def test_typed_contents_in_the_wrong_field(stub):
    request = iris_request()
    request.inputs[0].contents.int64_contents.extend([1, 2, 3, 4])
    expect(
        lambda: stub.ModelInfer(request),
        grpc.StatusCode.INVALID_ARGUMENT,
        r"FP32 elements go in contents.fp32_contents, but the request filled contents.int64_contents",
    )


def test_typed_contents_count_that_lies(stub):
    request = iris_request(shape=(2, 4))
    request.inputs[0].contents.fp32_contents.extend([1.0] * 5)
    expect(
        lambda: stub.ModelInfer(request),
        grpc.StatusCode.INVALID_ARGUMENT,
        r"shape \[2, 4\] needs 8 values, data has 5",
    )


def test_wrong_shape(stub):
    request = iris_request(shape=(1, 5))
    request.raw_input_contents.append(np.zeros((1, 5), dtype="<f4").tobytes())
    expect(
        lambda: stub.ModelInfer(request),
        grpc.StatusCode.INVALID_ARGUMENT,
        r"has shape \[1, 5\] but the model expects \[-1, 4\]",
    )


def test_raw_content_size_that_lies(stub):
    request = iris_request(shape=(1000000, 4))
    request.raw_input_contents.append(np.zeros((1, 4), dtype="<f4").tobytes())
    expect(
        lambda: stub.ModelInfer(request),
        grpc.StatusCode.INVALID_ARGUMENT,
        r"raw_input_contents\[0\] is 16 bytes but FP32 \[1000000, 4\] needs 16000000",
    )


def test_raw_contents_for_some_inputs_only(stub):
    request = iris_request()
    request.raw_input_contents.append(b"\0" * 16)
    request.raw_input_contents.append(b"\0" * 16)
    expect(
        lambda: stub.ModelInfer(request),
        grpc.StatusCode.INVALID_ARGUMENT,
        r"raw_input_contents has 2 entries but the request has 1 inputs",
    )


def test_unknown_datatype_and_negative_shape(stub):
    request = iris_request(datatype="FP128")
    request.raw_input_contents.append(b"\0" * 16)
    expect(
        lambda: stub.ModelInfer(request),
        grpc.StatusCode.INVALID_ARGUMENT,
        r"unknown datatype 'FP128'",
    )
    request = iris_request(shape=(-1, 4))
    request.raw_input_contents.append(b"\0" * 16)
    expect(
        lambda: stub.ModelInfer(request),
        grpc.StatusCode.INVALID_ARGUMENT,
        r"'shape' must hold non-negative integers, found -1",
    )


def test_over_limit_message(stub):
    rows = MAX_MESSAGE // 16 + 1024
    request = iris_request(shape=(rows, 4))
    request.raw_input_contents.append(bytes(rows * 16))
    expect(
        lambda: stub.ModelInfer(request),
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        r"exceeds maximum size " + str(MAX_MESSAGE),
    )


def test_unknown_model_version_and_output(stub):
    request = iris_request()
    request.model_name = "nope"
    request.raw_input_contents.append(b"\0" * 16)
    expect(lambda: stub.ModelInfer(request), grpc.StatusCode.NOT_FOUND, r"model 'nope' not found")
    request.model_name = "iris"
    request.model_version = "v9"
    expect(
        lambda: stub.ModelInfer(request),
        grpc.StatusCode.NOT_FOUND,
        r"model 'iris' has no version 'v9'",
    )
    request.model_version = ""
    request.outputs.add(name="colour")
    expect(
        lambda: stub.ModelInfer(request),
        grpc.StatusCode.INVALID_ARGUMENT,
        r"unknown output 'colour'",
    )
    expect(
        lambda: stub.ModelReady(service_pb2.ModelReadyRequest(name="nope")),
        grpc.StatusCode.NOT_FOUND,
        r"model 'nope' not found",
    )


def test_standard_health_service_serves():
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(GRPC) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", "inference.GRPCInferenceService"):
            answer = health.Check(health_pb2.HealthCheckRequest(service=service))
            assert answer.status == health_pb2.HealthCheckResponse.SERVING


def test_readme_example():
    # README.md's "V2 gRPC" example, as written there (only the address differs)
    client = tgrpc.InferenceServerClient(url=GRPC)
    rows = np.array([[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5]], dtype=np.float32)
    inp = tgrpc.InferInput("input", list(rows.shape), "FP32")
    inp.set_data_from_numpy(rows)
    result = client.infer("iris", [inp], request_id="readme-1")
    assert result.get_response().id == "readme-1"
    assert result.as_numpy("label").tolist() == [0, 2]
    np.testing.assert_allclose(
        result.as_numpy("probabilities").round(4),
        [[0.9785, 0.0215, 0.0], [0.0, 0.0075, 0.9925]],
        atol=1e-6,
    )
    client.close()
