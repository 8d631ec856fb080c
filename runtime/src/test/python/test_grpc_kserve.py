"""The kserve SDK's V2 gRPC client against a live Skiff runtime.

Its own file, run in its own pytest process by GrpcClientsIT: kserve and tritonclient each register
the protocol's messages (inference.*) in protobuf's default descriptor pool, so the two cannot be
imported into one Python process.
"""

import asyncio
import os

import numpy as np

GRPC = os.environ["SKIFF_GRPC"]
IRIS_ROWS = np.array([[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5]], dtype=np.float32)


def test_kserve_grpc_client():
    from kserve import InferenceGRPCClient, InferInput, InferRequest

    async def run():
        c = InferenceGRPCClient(url=GRPC, use_ssl=False)
        try:
            assert await c.is_server_live()
            assert await c.is_server_ready()
            assert await c.is_model_ready("iris")
            inp = InferInput(name="input", shape=list(IRIS_ROWS.shape), datatype="FP32")
            inp.set_data_from_numpy(IRIS_ROWS)
            response = await c.infer(
                InferRequest(model_name="iris", infer_inputs=[inp], request_id="kserve-grpc-1")
            )
            assert response.id == "kserve-grpc-1"
            by_name = {o.name: o for o in response.outputs}
            assert by_name["label"].as_numpy().tolist() == [0, 2]
            assert by_name["probabilities"].as_numpy().shape == (2, 3)
        finally:
            await c.close()

    asyncio.run(run())
