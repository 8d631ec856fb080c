#!/usr/bin/env python3
"""Build a network with TinyYOLOv2's layout and fixed weights, and decode its output in numpy.

Writes (paths relative to the repository root):

  examples/models/tiny-yolov2/v1/model.onnx     TinyYOLOv2 VOC's layout, few channels, seeded weights
  examples/models/tiny-yolov2/model.yaml        preprocess + postprocess {format: yolov2}
  examples/models/tiny-yolov2/expected.json     the boxes the runtime must answer for the test image
  examples/images/tiny-yolov2-scene.png         416x312 RGB test image (letterboxed by the runtime)
  runtime/src/test/resources/yolov2/decoded.json
      the model's raw output for that image and the boxes this script's own decoder found in it:
      Yolov2RegionsTest decodes the same raw values in Java and must find the same boxes

The layout is TinyYOLOv2's (darknet tiny-yolo-voc.cfg): input [1, 3, 416, 416]; six 3x3 conv +
leaky ReLU (0.1) stages, the first five followed by 2x2 max-pool stride 2 (416 -> 13), the sixth by
a 2x2 max-pool stride 1 (padded, 13 -> 13); two more 3x3 conv + leaky; a 1x1 conv to 5 anchors x
(5 + 20 VOC classes) = 125 channels: output [1, 125, 13, 13]. Batch norm is folded into the conv
biases (as an exported model has it). Channels are 8 per layer instead of 16..1024, so the file is
small; it detects nothing real.

Weights: numpy's default_rng(SEED) draws every conv kernel (He-scaled normal) and bias (zero for the
hidden layers). The last 1x1 conv is then set by hand so that some boxes pass the threshold: its
class-logit rows are scaled up (peaked softmax), its tw/th rows scaled down (box sizes near the
anchors), and the objectness biases are chosen from the test image's features so that the
OBJECT_CELLS highest-scoring anchor/cell pairs have objectness x class probability above
CONFIDENCE and every other one below it.

The decoder here is written from darknet's region layer, independently of the runtime: sigmoid
for x, y and objectness, exp(w, h) x anchor, softmax over classes, score = objectness x best class
probability, class-wise NMS, letterbox undone, boxes clipped to the image.

Seeded and byte-identical across re-runs with the pinned requirements.txt. Run it through
make_models.sh (`make models`).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_models import (EXAMPLES, REPO, check_io, dump_json, f32, log,  # noqa: E402
                         model_yaml, normalize_model, save_model, session, write_text)

SEED = 15
NAME = "tiny-yolov2"
SIZE = 416
GRID = 13
# TinyYOLOv2 VOC's anchors (tiny-yolo-voc.cfg), in grid cells: the runtime's yolov2 default.
ANCHORS = [1.08, 1.19, 3.42, 4.41, 6.63, 11.38, 9.42, 5.11, 16.62, 10.52]
VOC = ["aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
       "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
       "train", "tvmonitor"]
A = len(ANCHORS) // 2
ROW = 5 + len(VOC)
CHANNELS = 8          # per hidden layer (TinyYOLOv2: 16, 32, ..., 1024)
HIDDEN_LAYERS = 8
POOL_STRIDES = [2, 2, 2, 2, 2, 1]   # after the first six convs
IMAGE_W, IMAGE_H = 416, 312         # letterbox: scale 1, 52 px grey above and below
CONFIDENCE = 0.3
IOU = 0.45
MAX_DETECTIONS = 20
OBJECT_CELLS = 6
TOLERANCE_PX = 0.01   # runtime vs. this script over HTTP: same pixels (scale 1), float rounding only
SCORE_TOLERANCE = 1e-4

# model.yaml's image settings (the DL4J twin, make_tiny_yolov2_dl4j.py, has the same)
PREPROCESS = f"{{size: [{SIZE}, {SIZE}], resize: letterbox, scale: 0.00392156862745098}}"
POSTPROCESS = (f"{{type: detection, output: grid, format: yolov2, confidenceThreshold: {CONFIDENCE},"
               f" iouThreshold: {IOU}, maxDetections: {MAX_DETECTIONS}}}")

MODEL_DIR = EXAMPLES / "models" / NAME
IMAGE_PATH = EXAMPLES / "images" / "tiny-yolov2-scene.png"
FIXTURE = REPO / "runtime" / "src" / "test" / "resources" / "yolov2" / "decoded.json"


# ---------------------------------------------------------------- image


def draw_scene() -> np.ndarray:
    """A 416x312 RGB picture: a few coloured shapes on a gradient (uint8 HxWx3)."""
    y, x = np.mgrid[0:IMAGE_H, 0:IMAGE_W]
    base = np.stack([60 + x * 100 // IMAGE_W, 80 + y * 90 // IMAGE_H, 120 + 0 * x], axis=-1)
    image = Image.fromarray(base.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    draw.rectangle([40, 60, 150, 200], fill=(220, 40, 40))
    draw.ellipse([200, 40, 330, 170], fill=(40, 200, 60))
    draw.polygon([(260, 290), (390, 290), (325, 180)], fill=(240, 200, 30))
    draw.rectangle([90, 230, 200, 300], fill=(30, 30, 200))
    return np.asarray(image)


def letterbox(pixels: np.ndarray) -> np.ndarray:
    """The model input [1, 3, 416, 416] 0..1: scale 1, image centred, grey 114 around it."""
    canvas = np.full((SIZE, SIZE, 3), 114, dtype=np.uint8)
    top = (SIZE - IMAGE_H) // 2
    left = (SIZE - IMAGE_W) // 2
    canvas[top:top + IMAGE_H, left:left + IMAGE_W] = pixels
    return (canvas.astype(np.float32) * np.float32(1 / 255)).transpose(2, 0, 1)[None]


# ---------------------------------------------------------------- network


def conv(name: str, x: str, w: np.ndarray, b: np.ndarray, inits: list, nodes: list) -> str:
    inits += [numpy_helper.from_array(w.astype(np.float32), f"{name}_w"),
              numpy_helper.from_array(b.astype(np.float32), f"{name}_b")]
    pad = w.shape[-1] // 2
    nodes.append(helper.make_node("Conv", [x, f"{name}_w", f"{name}_b"], [f"{name}_y"],
                                  pads=[pad] * 4, name=name))
    return f"{name}_y"


def hidden_weights(rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    layers = []
    cin = 3
    for _ in range(HIDDEN_LAYERS):
        w = rng.normal(0, np.sqrt(2 / (cin * 9)), (CHANNELS, cin, 3, 3))
        layers.append((w, np.zeros(CHANNELS)))
        cin = CHANNELS
    return layers


def build(hidden, head_w: np.ndarray, head_b: np.ndarray, with_head: bool = True) -> onnx.ModelProto:
    """The graph; without the head its output is the last hidden layer's features."""
    inits, nodes = [], []
    x = "image"
    for i, (w, b) in enumerate(hidden):
        y = conv(f"conv{i}", x, w, b, inits, nodes)
        nodes.append(helper.make_node("LeakyRelu", [y], [f"leaky{i}"], alpha=0.1, name=f"leaky{i}"))
        x = f"leaky{i}"
        if i < len(POOL_STRIDES):
            stride = POOL_STRIDES[i]
            # darknet's stride-1 pool pads right and bottom so the grid stays 13x13
            pads = [0, 0, 0, 0] if stride == 2 else [0, 0, 1, 1]
            nodes.append(helper.make_node("MaxPool", [x], [f"pool{i}"], kernel_shape=[2, 2],
                                          strides=[stride, stride], pads=pads, name=f"pool{i}"))
            x = f"pool{i}"
    if with_head:
        x = conv("head", x, head_w, head_b, inits, nodes)
        nodes.append(helper.make_node("Identity", [x], ["grid"], name="grid"))
        out = helper.make_tensor_value_info("grid", TensorProto.FLOAT, [1, A * ROW, GRID, GRID])
    else:
        nodes.append(helper.make_node("Identity", [x], ["features"], name="features"))
        out = helper.make_tensor_value_info("features", TensorProto.FLOAT, [1, CHANNELS, GRID, GRID])
    graph = helper.make_graph(
        nodes, "tiny_yolov2_layout",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, SIZE, SIZE])],
        [out], initializer=inits)
    return normalize_model(helper.make_model(graph, producer_name="skiff-examples"))


def run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "model.onnx"
        path.write_bytes(model.SerializeToString(deterministic=True))
        sess = session(path)
        return sess.run([sess.get_outputs()[0].name], {"image": x})[0]


def head_weights(rng: np.random.Generator, features: np.ndarray):
    """The 1x1 head: seeded, then objectness biases placing OBJECT_CELLS boxes above CONFIDENCE."""
    w = rng.normal(0, 1 / np.sqrt(CHANNELS), (A, ROW, CHANNELS))
    b = np.zeros((A, ROW))
    w[:, 2:4] *= 0.1     # box sizes near the anchors
    w[:, 5:] *= 6.0      # peaked class probabilities
    w[:, 4] *= 2.0
    f = features[0].reshape(CHANNELS, -1)           # [C, cells]
    grid = np.einsum("ark,kc->arc", w, f)           # head output before biases
    probs = softmax(grid[:, 5:], axis=1).max(axis=1)    # [A, cells]
    # Objectness needed for score == CONFIDENCE per anchor/cell, as a logit, minus the raw logit.
    need = logit(np.clip(CONFIDENCE / probs, 1e-6, 1 - 1e-6)) - grid[:, 4]
    order = np.sort(need.ravel())
    # One shared bias between the OBJECT_CELLS-th and the next easiest pair: those pass, none else.
    b[:, 4] = (order[OBJECT_CELLS - 1] + order[OBJECT_CELLS]) / 2
    return w.reshape(A * ROW, CHANNELS, 1, 1), b.reshape(A * ROW)


# ---------------------------------------------------------------- decoding (independent of the runtime)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def logit(p):
    return np.log(p / (1 - p))


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def iou(a, b) -> float:
    left, top = max(a[0], b[0]), max(a[1], b[1])
    right, bottom = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0.0, right - left) * max(0.0, bottom - top)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return 0.0 if union <= 0 else inter / union


def decode(raw: np.ndarray, anchors, labels, width: int, height: int, confidence: float,
           iou_threshold: float, max_detections: int) -> list[dict]:
    """Boxes in pixels of a width x height image letterboxed into SIZE x SIZE, best first."""
    raw = raw.astype(np.float64)
    _, channels, gh, gw = raw.shape
    a_count = len(anchors) // 2
    g = raw[0].reshape(a_count, channels // a_count, gh, gw)
    rows, cols = np.mgrid[0:gh, 0:gw]
    aw = np.asarray(anchors[0::2])[:, None, None]
    ah = np.asarray(anchors[1::2])[:, None, None]
    cx = (cols + sigmoid(g[:, 0])) / gw * SIZE
    cy = (rows + sigmoid(g[:, 1])) / gh * SIZE
    bw = aw * np.exp(g[:, 2]) / gw * SIZE
    bh = ah * np.exp(g[:, 3]) / gh * SIZE
    probs = softmax(g[:, 5:], axis=1)
    best = probs.argmax(axis=1)
    score = sigmoid(g[:, 4]) * probs.max(axis=1)
    scale = min(SIZE / width, SIZE / height)
    ox, oy = (SIZE - width * scale) / 2, (SIZE - height * scale) / 2

    def to_image(v, offset, limit):
        return np.clip((v - offset) / scale, 0, limit)

    left, right = to_image(cx - bw / 2, ox, width), to_image(cx + bw / 2, ox, width)
    top, bottom = to_image(cy - bh / 2, oy, height), to_image(cy + bh / 2, oy, height)
    flat = [x.ravel() for x in (score, best, left, top, right - left, bottom - top)]
    keep = np.flatnonzero((flat[0] >= confidence) & (flat[4] > 0) & (flat[5] > 0))
    keep = keep[np.argsort(-flat[0][keep], kind="stable")]
    kept: list[dict] = []
    for i in keep:
        if len(kept) == max_detections:
            break
        box = (flat[2][i], flat[3][i], flat[4][i], flat[5][i])
        cls = int(flat[1][i])
        if any(k["index"] == cls and iou(k["box"], box) > iou_threshold for k in kept):
            continue
        kept.append({"index": cls, "box": box, "score": float(flat[0][i])})
    return [{"label": labels[k["index"]], "score": k["score"], "x": float(k["box"][0]),
             "y": float(k["box"][1]), "w": float(k["box"][2]), "h": float(k["box"][3])}
            for k in kept]


# ---------------------------------------------------------------- main


def rounded(detections: list[dict]) -> list[dict]:
    """Detections as expected.json records them (scores to 1e-6, pixels to 1e-4)."""
    return [dict(d, score=round(d["score"], 6), **{k: round(d[k], 4) for k in "xywh"})
            for d in detections]



def main() -> int:
    rng = np.random.default_rng(SEED)
    pixels = draw_scene()
    IMAGE_PATH.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels, "RGB").save(IMAGE_PATH, optimize=True)
    log(f"wrote {IMAGE_PATH.relative_to(REPO)}")
    x = letterbox(pixels)

    hidden = hidden_weights(rng)
    features = run(build(hidden, None, None, with_head=False), x)
    head_w, head_b = head_weights(rng, features)
    model = build(hidden, head_w, head_b)
    model_path = MODEL_DIR / "v1" / "model.onnx"
    save_model(model, model_path)
    inputs = [("image", "FP32", [1, 3, SIZE, SIZE])]
    outputs = [("grid", "FP32", [1, A * ROW, GRID, GRID])]
    check_io(model_path, inputs, outputs)

    raw = session(model_path).run(["grid"], {"image": x})[0]
    detections = decode(raw, ANCHORS, VOC, IMAGE_W, IMAGE_H, CONFIDENCE, IOU, MAX_DETECTIONS)
    if not 1 <= len(detections) <= OBJECT_CELLS:
        raise SystemExit(f"expected 1..{OBJECT_CELLS} detections, got {len(detections)}")
    log(f"{len(detections)} detections: " + ", ".join(d["label"] for d in detections))

    write_text(MODEL_DIR / "model.yaml", model_yaml(
        NAME,
        "TinyYOLOv2 VOC's layout (416x416 RGB, 13x13 grid, 5 anchors, 20 classes; raw region output"
        " [1, 125, 13, 13]) with 8 channels per layer and seeded weights: it detects nothing real"
        " (examples/scripts/make_tiny_yolov2.py)",
        inputs, outputs, labels=VOC,
        preprocess=PREPROCESS, postprocess=POSTPROCESS))
    dump_json(MODEL_DIR / "expected.json", {
        "model": NAME, "version": "v1", "tolerancePixels": TOLERANCE_PX,
        "scoreTolerance": SCORE_TOLERANCE,
        "cases": [{"image": IMAGE_PATH.name, "detections": rounded(detections)}]})
    dump_json(FIXTURE, {
        "anchors": ANCHORS, "labels": VOC, "confidenceThreshold": CONFIDENCE, "iouThreshold": IOU,
        "maxDetections": MAX_DETECTIONS, "modelSize": [SIZE, SIZE], "resize": "letterbox",
        "image": [IMAGE_W, IMAGE_H], "shape": list(raw.shape), "raw": f32(raw),
        "detections": detections})
    return 0


if __name__ == "__main__":
    sys.exit(main())
