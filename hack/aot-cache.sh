#!/usr/bin/env bash
# Writes the runtime's ahead-of-time cache (JDK 25, JEP 483/514): the classes that serving loads
# and links in a short training run, so that a later
# `java -XX:AOTCache=<file> -jar <jar> ...` starts in about half the time (docs/jvm.md).
#
#   hack/aot-cache.sh <runtime jar> <cache file>
#
# The training run serves the ONNX example models (iris, digits, shapes: tensors, images,
# detection) on a free port, sends each kind of request a few times, and stops; the JVM writes the
# cache as it exits. The JVM maps the whole cache at every start, so it is kept to what ONNX serving
# uses: the Deeplearning4j/Keras classes (thousands, +28 MB resident) would slow every start and
# grow every process for a backend most deployments do not use; those models still load, without
# the head start. A cache only fits the JDK build and the exact jar path it was made with (a mismatched one
# is ignored with a warning), so pass the jar path the server will be started with.
# With a JDK older than 25 it writes nothing and says so (runtime/jvm.options needs 25 as well).
set -euo pipefail
# shellcheck source=lib/ready-url.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/ready-url.sh"

jar="$1"
out="$2"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
java="${JAVA_HOME:?JAVA_HOME must name a JDK}/bin/java"
major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JAVA_HOME/release")
if (( major < 25 )); then
  echo "aot-cache: JDK $major has no -XX:AOTCacheOutput (needs 25+); no cache written (runtime/jvm.options needs 25 too)" >&2
  exit 0
fi

log="$(mktemp)"
models="$(mktemp -d)"
trap 'rm -rf "$log" "$models"' EXIT
for model in iris digits shapes; do
  ln -s "$repo/examples/models/$model" "$models/$model"
done
rm -f "$out"
# --grpc-port 0: the gRPC server's classes are loaded (and cached) as at a real start, on a free
# port rather than the fixed 8081 someone else may hold.
# JDK 25.0.3's cached call adapters fail to link for some of our native method signatures and
# warn about it on every start; without them the cache is as fast (measured), so leave them out.
# No method profiles either (JEP 515): replayed at start, they send the C2 compiler to work while
# the server is still starting, which on 2 cores delayed ready by ~0.08 s, and a warm server's
# profiles did not shorten the warm-up (docs/jvm.md).
"$java" "@$repo/runtime/jvm.options" -XX:AOTCacheOutput="$out" -Xlog:aot=error \
  -XX:+UnlockDiagnosticVMOptions -XX:-AOTAdapterCaching -XX:-AOTStubCaching -XX:-AOTRecordTraining \
  -jar "$jar" serve "$models" --host 127.0.0.1 --port 0 --grpc-port 0 >"$log" 2>&1 &
pid=$!

url="$(ready_url "$log" "$pid")" || { kill "$pid" 2>/dev/null; echo "aot-cache: no training server" >&2; exit 1; }

requests="$repo/examples/requests"
images="$repo/examples/images"
fail=0
call() { curl -sf -o /dev/null "$@" || { echo "aot-cache: training request failed: curl $*" >&2; fail=1; }; }
for _ in 1 2 3; do
  call -H 'content-type: application/json' -d @"$requests/iris.json" "$url/v2/models/iris/infer"
  call -H 'content-type: application/json' -d @"$requests/iris-v1.json" "$url/v1/models/iris:predict"
  call -H 'content-type: application/json' -d @"$requests/digits.json" "$url/v2/models/digits/infer"
  call -F file=@"$images/digit-3.png" "$url/v1/models/digits/predict"
  call -F file=@"$images/shapes-1.png" "$url/v1/models/shapes/predict"
done
for path in /v2 /v2/models/iris /v2/models/iris/ready /v2/health/live /metrics /openapi /docs/; do
  call "$url$path"
done

kill -TERM "$pid"
wait "$pid" || true
if [[ $fail -ne 0 || ! -s $out ]]; then
  cat "$log" >&2
  rm -f "$out"
  echo "aot-cache: no cache written" >&2
  exit 1
fi
echo "aot-cache: wrote $out ($(du -h "$out" | cut -f1))"
