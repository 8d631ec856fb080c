"""Sends iris inference calls over V2 gRPC with tritonclient and counts the answering versions.

Usage: grpc_split.py <host:port> <calls> <token> [pinned-version]
Prints one JSON object: {"versions": {"v1": n, ...}, "failed": n, "errors": [...], "seconds": s}.
"""

import json
import sys
import time

import numpy as np
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException


def main():
    address, calls, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    pinned = sys.argv[4] if len(sys.argv) > 4 else None
    headers = {"authorization": "Bearer " + token}
    if pinned:
        headers["x-model-version"] = pinned
    client = grpcclient.InferenceServerClient(url=address)
    tensor = grpcclient.InferInput("input", [1, 4], "FP32")
    tensor.set_data_from_numpy(np.array([[5.1, 3.5, 1.4, 0.2]], dtype=np.float32))
    versions, failed, errors = {}, 0, []
    start = time.monotonic()
    for _ in range(calls):
        try:
            result = client.infer("iris", [tensor], headers=headers)
            version = result.get_response().model_version
            versions[version] = versions.get(version, 0) + 1
        except InferenceServerException as e:
            failed += 1
            if len(errors) < 5:
                errors.append(str(e))
    print(
        json.dumps(
            {
                "versions": versions,
                "failed": failed,
                "errors": errors,
                "seconds": time.monotonic() - start,
            }
        )
    )


if __name__ == "__main__":
    main()
