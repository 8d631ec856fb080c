#!/usr/bin/env bash
# Creates (once) a virtualenv from a pinned requirements file and prints its python. Without
# arguments: the third-party inference clients nobody here wrote (tritonclient, kserve) from
# hack/python-clients.txt. With a file (and pip install options after it, e.g. --no-deps for a
# file that pins every transitive dependency itself): that file's virtualenv, e.g.
# `hack/python-clients.sh hack/python-mlserver.txt --no-deps`. Prints nothing when the Python index
# is unreachable, so the tests that need it skip visibly instead of failing the build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
req="${1:-$here/python-clients.txt}"
shift $(($# > 0 ? 1 : 0))
pip_options=("$@")
want=$( { cat "$req"; echo "${pip_options[*]}"; } | sha256sum | cut -d' ' -f1)
if [[ ${#pip_options[@]} -eq 0 ]]; then
  # the clients' virtualenv keeps the name it had before options existed
  want=$(sha256sum "$req" | cut -d' ' -f1)
fi
# One virtualenv per requirements file, so worktrees pinning different clients do not rebuild
# each other's.
name=$(basename "$req" .txt)
venv="${SKIFF_CACHE:-$HOME/.cache/skiff}/venv-${name#python-}-${want:0:12}"
stamp="$venv/.requirements.sha256"
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  echo "creating $venv for the tests that need $(basename "$req")" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  if ! "$venv/bin/pip" install --quiet --disable-pip-version-check "${pip_options[@]}" -r "$req" >&2; then
    echo "WARNING: could not install $req (Python index unreachable?); the tests that need it will be skipped" >&2
    rm -rf "$venv"
    exit 0
  fi
  echo "$want" >"$stamp"
fi
echo "$venv/bin/python"
