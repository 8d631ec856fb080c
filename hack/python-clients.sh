#!/usr/bin/env bash
# Creates (once) a virtualenv with third-party inference clients nobody here wrote
# (tritonclient, kserve) and prints its python. Prints nothing when the Python index is
# unreachable, so the client tests skip visibly instead of failing the build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
req="$here/python-clients.txt"
want=$(sha256sum "$req" | cut -d' ' -f1)
# One virtualenv per requirements file, so worktrees pinning different clients do not rebuild
# each other's.
venv="${SKIFF_CACHE:-$HOME/.cache/skiff}/venv-clients-${want:0:12}"
stamp="$venv/.requirements.sha256"
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  echo "creating $venv for third-party client tests" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  if ! "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2; then
    echo "WARNING: could not install $req (Python index unreachable?); client tests will be skipped" >&2
    rm -rf "$venv"
    exit 0
  fi
  echo "$want" >"$stamp"
fi
echo "$venv/bin/python"
