#!/usr/bin/env bash
# Regenerate Skiff's example models and the runtime's test models (`make models`).
#
#   examples/scripts/make_models.sh           train, export, verify, write the files
#   examples/scripts/make_models.sh --check   same, then fail if the committed files changed
#
# Needs python3 (3.11) and PyPI. The virtualenv lives outside the repository, at
# ${SKIFF_CACHE:-$HOME/.cache/skiff}/venv-models, and is rebuilt when
# requirements.txt or the interpreter changes. PYTHON picks the interpreter.
# The outputs are committed, so building or running Skiff never needs this.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"
cache="${SKIFF_CACHE:-$HOME/.cache/skiff}"
venv="$cache/venv-models"
req="$here/requirements.txt"
req_nodeps="$here/requirements-nodeps.txt"

check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

command -v "$python" >/dev/null || { echo "make_models: $python not found (set PYTHON)" >&2; exit 1; }

# The stamp records what the venv was built from: requirements + interpreter.
want="$( { cat "$req" "$req_nodeps"; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || "$(cat "$venv/.skiff-stamp" 2>/dev/null)" != "$want" ]]; then
  echo "make_models: creating $venv"
  rm -rf "$venv"
  mkdir -p "$cache"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --no-deps -r "$req_nodeps"
  echo "$want" > "$venv/.skiff-stamp"
fi

# Single-threaded numerics and a fixed hash seed: identical bytes on every run.
export PYTHONHASHSEED=0 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
export TOKENIZERS_PARALLELISM=false RAYON_NUM_THREADS=1
export PYTHONDONTWRITEBYTECODE=1

cd "$repo"
"$venv/bin/python" "$here/make_models.py"
"$venv/bin/python" "$here/make_test_models.py"
"$venv/bin/python" "$here/make_batching_models.py"
"$venv/bin/python" "$here/make_shapes_detector.py"
"$venv/bin/python" "$here/make_tabular_models.py"
"$venv/bin/python" "$here/make_tiny_yolov2.py"
"$venv/bin/python" "$here/make_sentiment_model.py"

outputs=(examples/models examples/images examples/requests runtime/src/test/resources/models
  runtime/src/test/resources/mlserver runtime/src/test/resources/yolov2)
if [[ $check == 1 ]]; then
  if [[ -n "$(git status --porcelain -- "${outputs[@]}")" ]]; then
    git status --short -- "${outputs[@]}" >&2
    echo "make_models: regenerated files differ from the committed ones" >&2
    exit 1
  fi
  echo "make_models: outputs identical to the committed files"
fi
