#!/usr/bin/env bash
# `make test`: every test tier, in the order a failure is cheapest to find.
#   1. generated files are fresh (dashboards; the CRD is checked by the Maven build)
#   2. ./mvnw test: format check (Spotless), compile with Error Prone, unit tests; no cluster yet
#   3. the local Kubernetes control plane is up (hack/cluster/up.sh; built once, cached)
#   4. ./mvnw verify without the unit tests again: real-server ITs, third-party Python clients,
#      operator ITs on the real API server
#   5. the runtime's ahead-of-time cache is accepted by the JVM (hack/test-aot.sh)
#      and `make run` listens on 127.0.0.1 only, with no start-up warnings (hack/test-make-run.sh)
#   6. the Helm chart against the same API server
#   7. the end-to-end tier on a real node (hack/e2e/run.sh): both images built from this tree with
#      no layer of an earlier build, the real node joined, the chart installed, *E2E run
# The control plane (and its real node) is stopped on exit unless SKIFF_KEEP_CLUSTER=1.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 hack/dashboards.py --check
./mvnw -B -ntp test

started_cluster=0
if ! bash hack/cluster/up.sh; then
  echo "the local control plane did not start; see .cluster/logs" >&2
  exit 1
fi
started_cluster=1
stop_cluster() {
  if [[ $started_cluster == 1 && "${SKIFF_KEEP_CLUSTER:-0}" != 1 ]]; then bash hack/cluster/down.sh; fi
}
trap stop_cluster EXIT
# shellcheck source=/dev/null
source .cluster/env

python=$(bash hack/python-clients.sh)
mlserver_python=$(bash hack/python-clients.sh hack/python-mlserver.txt --no-deps)
./mvnw -B -ntp verify -DskipUnitTests -Dskiff.python="$python" -Dskiff.mlserver.python="$mlserver_python"
bash hack/test-aot.sh
bash hack/test-make-run.sh
bash hack/test-helm.sh
SKIFF_IMAGES_NO_CACHE=1 bash hack/e2e/run.sh
