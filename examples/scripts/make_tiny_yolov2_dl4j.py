#!/usr/bin/env python3
"""The tiny-yolov2 example's network as a Deeplearning4j zip: the ONNX side of the conversion.

    python examples/scripts/make_tiny_yolov2_dl4j.py layers <layers.json>
    python examples/scripts/make_tiny_yolov2_dl4j.py expected <dl4j-grid.json>

Run both through examples/scripts/make_dl4j_models.sh, around
examples/scripts/dl4j/TinyYolov2.java:

1. `layers` reads the committed examples/models/tiny-yolov2/v1/model.onnx (written by
   make_tiny_yolov2.py) and writes its graph in order as JSON: each Conv with its kernel (OIHW,
   DL4J's convolution weight layout too) and bias from the ONNX initializers, each LeakyRelu's
   alpha, each MaxPool's kernel, strides and pads; plus the letterboxed test image
   (examples/images/tiny-yolov2-scene.png) and the ONNX model's raw grid for it. The Java side builds
   the DL4J network from that list, so it has the ONNX file's weights and nothing else.
2. `expected` decodes the DL4J network's raw grid for the test image (written by TinyYolov2.java)
   with make_tiny_yolov2.py's own region decoder, checks that the boxes are the ONNX model's (same
   labels in the same order, every coordinate within AGREEMENT_PX), and writes
   examples/models/tiny-yolov2-dl4j/{model.yaml,expected.json}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_tiny_yolov2 as onnx_twin  # noqa: E402
from make_models import EXAMPLES, dump_json, log, model_yaml, session, write_text  # noqa: E402

NAME = "tiny-yolov2-dl4j"
MODEL_DIR = EXAMPLES / "models" / NAME
ONNX_MODEL = onnx_twin.MODEL_DIR / "v1" / "model.onnx"
AGREEMENT_PX = 1e-3   # DL4J's boxes vs. the ONNX model's, decoded by the same numpy code


def layers(out: Path) -> None:
    model = onnx.load(str(ONNX_MODEL))
    weights = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    nodes = []
    for node in model.graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "Conv":
            kernel, bias = weights[node.input[1]], weights[node.input[2]]
            nodes.append({"op": "Conv", "name": node.name, "shape": list(kernel.shape),
                          "pads": list(attrs.get("pads", [0, 0, 0, 0])),
                          "strides": list(attrs.get("strides", [1, 1])),
                          "kernel": kernel.ravel().tolist(), "bias": bias.ravel().tolist()})
        elif node.op_type == "LeakyRelu":
            nodes.append({"op": "LeakyRelu", "name": node.name, "alpha": attrs["alpha"]})
        elif node.op_type == "MaxPool":
            nodes.append({"op": "MaxPool", "name": node.name,
                          "kernel": list(attrs["kernel_shape"]), "strides": list(attrs["strides"]),
                          "pads": list(attrs.get("pads", [0, 0, 0, 0]))})
        elif node.op_type != "Identity":
            raise SystemExit(f"{ONNX_MODEL}: no DL4J layer for {node.op_type} ({node.name})")
    x = scene_input()
    grid = session(ONNX_MODEL).run(["grid"], {"image": x})[0]
    out.write_text(json.dumps({
        "nodes": nodes,
        "input": {"shape": list(x.shape), "data": x.ravel().tolist()},
        "onnxGrid": {"shape": list(grid.shape), "data": grid.ravel().tolist()}}))
    log(f"wrote {len(nodes)} layers of {ONNX_MODEL.name} to {out}")


def scene_input() -> np.ndarray:
    """The committed test image as the runtime feeds it to the model (letterboxed, 0..1 NCHW)."""
    return onnx_twin.letterbox(np.asarray(Image.open(onnx_twin.IMAGE_PATH).convert("RGB")))


def detections(grid: np.ndarray) -> list[dict]:
    return onnx_twin.decode(grid, onnx_twin.ANCHORS, onnx_twin.VOC, onnx_twin.IMAGE_W,
                            onnx_twin.IMAGE_H, onnx_twin.CONFIDENCE, onnx_twin.IOU,
                            onnx_twin.MAX_DETECTIONS)


def expected(dl4j_grid: Path) -> None:
    spec = json.loads(dl4j_grid.read_text())
    grid = np.asarray(spec["data"], dtype=np.float32).reshape(spec["shape"])
    want = detections(session(ONNX_MODEL).run(["grid"], {"image": scene_input()})[0])
    got = detections(grid)
    if [d["label"] for d in got] != [d["label"] for d in want]:
        raise SystemExit(f"DL4J labels {[d['label'] for d in got]}"
                         f" != ONNX {[d['label'] for d in want]}")
    worst = max(abs(g[k] - w[k]) for g, w in zip(got, want) for k in "xywh")
    if worst > AGREEMENT_PX:
        raise SystemExit(f"DL4J boxes differ from the ONNX ones by {worst:.3g} px > {AGREEMENT_PX}")
    log(f"{NAME}: {len(got)} detections, the ONNX model's within {worst:.3g} px")

    write_text(MODEL_DIR / "model.yaml", model_yaml(
        NAME,
        "The tiny-yolov2 example's network (TinyYOLOv2 VOC's layout, raw region output"
        " [1, 125, 13, 13]) with its ONNX weights as a Deeplearning4j MultiLayerNetwork zip: plain"
        " convolution, leaky ReLU and max-pool layers (examples/scripts/dl4j/TinyYolov2.java)",
        [("image", "FP32", [1, 3, onnx_twin.SIZE, onnx_twin.SIZE])],
        [("grid", "FP32", list(grid.shape))], labels=onnx_twin.VOC, fmt="dl4j",
        preprocess=onnx_twin.PREPROCESS, postprocess=onnx_twin.POSTPROCESS))
    onnx_expected = json.loads((onnx_twin.MODEL_DIR / "expected.json").read_text())
    dump_json(MODEL_DIR / "expected.json", dict(onnx_expected, model=NAME, cases=[
        {"image": onnx_twin.IMAGE_PATH.name, "detections": onnx_twin.rounded(got)}]))


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in ("layers", "expected"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    (layers if sys.argv[1] == "layers" else expected)(Path(sys.argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
