#!/usr/bin/env bash
# Regenerate the Deeplearning4j example models (not part of `make test`; the outputs are committed).
#
#   examples/scripts/make_dl4j_models.sh
#
# 1. examples/scripts/dl4j/TrainDigits.java (Java source launcher, the runtime's class path
#    runtime/target/libs/*) trains the digits MLP 64-32-10 with DL4J on scikit-learn's bundled
#    digits.csv.gz and writes examples/models/digits-dl4j/{v1/model.zip,expected.json}.
# 2. examples/scripts/make_digits_twins.py writes the same weights as a Keras HDF5 file
#    (examples/models/digits-keras) and as ONNX (runtime/src/test/resources/dl4j-models/digits-onnx)
#    and checks both against the DL4J answers.
# 3. examples/scripts/make_tiny_yolov2_dl4j.py dumps the committed tiny-yolov2 ONNX graph with its
#    initializers; examples/scripts/dl4j/TinyYolov2.java builds the same network with those weights
#    from plain DL4J layers, checks its raw grid against ONNX Runtime's and writes
#    examples/models/tiny-yolov2-dl4j/v1/model.zip; the Python script then decodes the DL4J grid,
#    checks the boxes against the ONNX model's and writes model.yaml and expected.json.
# Seeded and single-threaded: a re-run gives the same weights. Needs the models venv
# (examples/scripts/make_models.sh creates it) and a built runtime (target/libs).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${SKIFF_CACHE:-$HOME/.cache/skiff}/venv-models"
cd "$repo"
export JAVA_HOME="${JAVA_HOME:-$(hack/java-home.sh)}"

[[ -x "$venv/bin/python" ]] || { echo "make_dl4j_models: run examples/scripts/make_models.sh first ($venv)" >&2; exit 1; }
if ! ls runtime/target/libs/deeplearning4j-nn-*.jar >/dev/null 2>&1; then
  ./mvnw -B -ntp -q -pl runtime package -DskipTests
fi
csv="$("$venv/bin/python" -c 'import sklearn, pathlib; print(pathlib.Path(sklearn.__file__).parent / "datasets/data/digits.csv.gz")')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

export OMP_NUM_THREADS=1 PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp 'runtime/target/libs/*' \
  examples/scripts/dl4j/TrainDigits.java "$csv" examples/models/digits/expected.json \
  examples/models "$work/digits-weights.json"
"$venv/bin/python" examples/scripts/make_digits_twins.py "$work/digits-weights.json"

"$venv/bin/python" examples/scripts/make_tiny_yolov2_dl4j.py layers "$work/tiny-yolov2-layers.json"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp 'runtime/target/libs/*' \
  examples/scripts/dl4j/TinyYolov2.java "$work/tiny-yolov2-layers.json" \
  examples/models/tiny-yolov2-dl4j/v1/model.zip "$work/tiny-yolov2-dl4j-grid.json"
"$venv/bin/python" examples/scripts/make_tiny_yolov2_dl4j.py expected "$work/tiny-yolov2-dl4j-grid.json"
