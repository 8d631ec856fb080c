#!/usr/bin/env bash
# A quick side-by-side of V2 gRPC against REST on iris, and Skiff's gRPC against MLServer's, in one
# run (issue 14 item 5). Not yet a step of suite.py: one short closed-loop window per row, no
# pinning, no repeats, so the numbers are a smoke reading, not the suite's. The CNN rows need the
# suite's generated CNN and are not here.
#
#   bash bench/grpc_quick.sh            needs: runtime/target/skiff-runtime.jar (mvnw package),
#                                       ghz on PATH or GHZ=path (go install
#                                       github.com/bojand/ghz/cmd/ghz@v0.120.0), and MLServER's
#                                       virtualenv (hack/python-clients.sh hack/python-mlserver.txt
#                                       --no-deps) as MLSERVER_PYTHON
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export JAVA_HOME="${JAVA_HOME:-$(hack/java-home.sh)}"
java="$JAVA_HOME/bin/java"
ghz="${GHZ:-ghz}"
mlpython="${MLSERVER_PYTHON:?set MLSERVER_PYTHON to the MLServer virtualenv python}"
duration="${DURATION:-8}"
conc=16
work="bench/work/grpc"
mkdir -p "$work"
rm -rf "$work/mlserver"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 300); do [[ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" == 200 ]] && return; sleep 0.2; done; echo "not ready: $1" >&2; exit 1; }

"$JAVA_HOME/bin/javac" -d "$work/loadgen" bench/loadgen/LoadGen.java
http=$(free_port); grpc=$(free_port)
"$java" @runtime/jvm.options -XX:MaxRAM=1g -jar runtime/target/skiff-runtime.jar serve examples/models \
  --host 127.0.0.1 --port "$http" --grpc-port "$grpc" >"$work/skiff.log" 2>&1 &
pids+=($!)
mhttp=$(free_port); mgrpc=$(free_port); mmetrics=$(free_port)
"$mlpython" bench/models/make_iris_mlserver.py "$work/mlserver" 0 "$mhttp" "$mgrpc" "$mmetrics"
(cd "$work/mlserver" && exec "$(dirname "$mlpython")/mlserver" start . >../mlserver.log 2>&1) &
pids+=($!)
wait_http "http://127.0.0.1:$http/health/ready"
wait_http "http://127.0.0.1:$mhttp/v2/models/iris/ready"

# the same two rows as examples/requests/iris.json, in each wire form
rows='[5.1,3.5,1.4,0.2,6.3,3.3,6.0,2.5]'
raw=$(python3 -c "import struct,base64; print(base64.b64encode(struct.pack('<8f',*$rows)).decode())")
typed="{\"model_name\":\"iris\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[2,4],\"contents\":{\"fp32_contents\":$rows}}]}"
rawreq="{\"model_name\":\"iris\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[2,4]}],\"raw_input_contents\":[\"$raw\"]}"
python3 - "$work" <<'PY'
import json, struct, sys
work = sys.argv[1]
header = json.dumps({"inputs": [{"name": "input", "datatype": "FP32", "shape": [2, 4],
                                 "parameters": {"binary_data_size": 32}}]}).encode()
rows = [5.1, 3.5, 1.4, 0.2, 6.3, 3.3, 6.0, 2.5]
open(f"{work}/iris.bin", "wb").write(header + struct.pack("<8f", *rows))
open(f"{work}/iris.bin.len", "w").write(str(len(header)))
PY

rest() { # name url body [headers...]
  local name=$1 url=$2 body=$3; shift 3
  "$java" -XX:+UseParallelGC -cp "$work/loadgen" LoadGen --url "$url" --body "$body" "$@" \
    --connections $conc --warmup 3 --duration "$duration" --expect '"data":\s*\[\s*0\s*,\s*2\s*\]' \
    | python3 -c "import json,sys; r=json.load(sys.stdin); print(f'$name\t{r[\"throughput\"]:.0f}\t{r[\"errors\"]}')"
}
rpc() { # name host:port request
  "$ghz" --insecure --proto runtime/src/main/proto/grpc_predict_v2.proto \
    --call inference.GRPCInferenceService/ModelInfer -d "$3" -c $conc --connections 4 \
    -z "${duration}s" --format json "$2" >"$work/ghz.json"
  # calls still in flight when the window closes end as Unavailable/Canceled (at most one per
  # concurrent stream): the distribution is printed so that real errors stand out
  python3 -c "import json; r=json.load(open('$work/ghz.json')); d=r.get('statusCodeDistribution',{}); print(f'$1\t{r[\"rps\"]:.0f}\t{ {k: v for k, v in d.items() if k != \"OK\"} }')"
}
# warm each server's gRPC path once before its measured window
"$ghz" --insecure --proto runtime/src/main/proto/grpc_predict_v2.proto --call inference.GRPCInferenceService/ModelInfer -d "$rawreq" -c 4 -z 3s "127.0.0.1:$grpc" >/dev/null
"$ghz" --insecure --proto runtime/src/main/proto/grpc_predict_v2.proto --call inference.GRPCInferenceService/ModelInfer -d "$typed" -c 4 -z 3s "127.0.0.1:$mgrpc" >/dev/null

# the first closed-loop run against a fresh JVM is slower than later ones (bench/README.md):
# one unmeasured REST run first
rest "(warm-up, not a row)" "http://127.0.0.1:$http/v2/models/iris/infer" examples/requests/iris.json >/dev/null

{
  echo -e "row\treq/s\terrors"
  rest "skiff REST JSON" "http://127.0.0.1:$http/v2/models/iris/infer" examples/requests/iris.json
  rest "skiff REST binary" "http://127.0.0.1:$http/v2/models/iris/infer" "$work/iris.bin" \
    --content-type application/octet-stream --header "Inference-Header-Content-Length: $(cat "$work/iris.bin.len")"
  rpc "skiff gRPC raw" "127.0.0.1:$grpc" "$rawreq"
  rpc "skiff gRPC typed" "127.0.0.1:$grpc" "$typed"
  rpc "mlserver gRPC typed (pw0)" "127.0.0.1:$mgrpc" "$typed"
  rpc "mlserver gRPC raw (pw0)" "127.0.0.1:$mgrpc" "$rawreq"
} | tee "$work/result.tsv"
