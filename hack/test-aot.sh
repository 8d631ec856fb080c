#!/usr/bin/env bash
# `make test` step for the runtime's start-up aids: the ahead-of-time cache (hack/aot-cache.sh) is
# written from the jar the build just made, the JVM accepts it (no warnings, AOT-linked classes in
# use), ONNX Runtime loads its libraries from the unpacked folder, and the server answers correctly. Timings are measured in bench/, never asserted here.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/ready-url.sh
source hack/lib/ready-url.sh
export JAVA_HOME="${JAVA_HOME:-$(hack/java-home.sh)}"
jar=runtime/target/skiff-runtime.jar
major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JAVA_HOME/release")
if (( major < 25 )); then
  echo "test-aot: skipped, JDK $major has no AOT cache (the runtime runs without one)"
  exit 0
fi

work="$(mktemp -d)"
pid=""
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

bash hack/aot-cache.sh "$jar" "$work/skiff.aot"
"$JAVA_HOME/bin/java" @runtime/jvm.options -XX:AOTCache="$work/skiff.aot" -Xlog:aot=info:file="$work/aot.log" \
  -jar "$jar" serve examples/models --host 127.0.0.1 --port 0 >"$work/out.log" 2>&1 &
pid=$!
url="$(ready_url "$work/out.log" "$pid")" || { echo "test-aot: FAIL the server did not start" >&2; exit 1; }
answer="$(curl -sf -H 'content-type: application/json' -d @examples/requests/iris.json "$url/v2/models/iris/infer")"
status=0
if ! grep -q '"data":\[0,2\]' <<<"$answer"; then
  echo "test-aot: FAIL iris answered $answer" >&2; status=1
fi
if ! grep -q "Using AOT-linked classes: true" "$work/aot.log"; then
  echo "test-aot: FAIL the JVM did not use the cache:" >&2; grep -i "aot" "$work/aot.log" | head >&2; status=1
fi
if grep -q "\[warning\]\|\[error\]" "$work/out.log"; then
  echo "test-aot: FAIL the JVM complained about the cache:" >&2; grep "\[warning\]\|\[error\]" "$work/out.log" >&2; status=1
fi
# ONNX Runtime's libraries are mapped from the folder the build unpacked them into, not from a
# fresh copy in the temporary folder (OnnxNativeLibraries).
if ! grep -q "$PWD/runtime/target/native/.*/libonnxruntime.so" "/proc/$pid/maps"; then
  echo "test-aot: FAIL libonnxruntime.so was not loaded from runtime/target/native:" >&2
  grep "libonnxruntime" "/proc/$pid/maps" | head -3 >&2; status=1
fi
[[ $status -eq 0 ]] && echo "test-aot: ok (cache accepted, native libraries from runtime/target/native, iris answered [0, 2])"
exit $status
