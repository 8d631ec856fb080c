#!/usr/bin/env bash
# `make e2e`: the end-to-end tier on a real node (docs/real-cluster.md).
#   1. the local control plane (hack/cluster/up.sh; already up under make test)
#   2. both images, built with podman from this working tree (hack/images/build.sh)
#   3. the real node: containerd, kubelet, kube-proxy, CoreDNS; the images imported
#   4. the chart installed with Helm: the operator runs as the pod the chart deploys, under its RBAC
#   5. the *E2E tests (operator/src/test/java/dev/skiff/operator/e2e), then a table of the figures
# A cluster this script started is brought down at the end unless SKIFF_KEEP_CLUSTER=1; a cluster
# that was already up (make test, make cluster-up) is left as it was found, with its real node.
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-$(hack/java-home.sh)}"

figures=operator/target/e2e-figures.txt
timings=()
step() {  # step <name> <command...>: runs it and keeps its duration as a figure
  local name="$1" t0
  shift
  t0="$(date +%s)"
  "$@"
  timings+=("set-up | ${name} | $(($(date +%s) - t0)) s")
}

started_cluster=0
if ! [[ -f .cluster/kubeconfig ]] || ! .cluster/bin/kubectl --kubeconfig .cluster/kubeconfig get --raw /readyz >/dev/null 2>&1; then
  bash hack/cluster/up.sh
  started_cluster=1
fi
stop_cluster() {
  if [[ $started_cluster == 1 && "${SKIFF_KEEP_CLUSTER:-0}" != 1 ]]; then bash hack/cluster/down.sh; fi
}
trap stop_cluster EXIT
# shellcheck source=/dev/null
source .cluster/env
# shellcheck source=../images/podman-env.sh
source hack/images/podman-env.sh

step "images (podman build of both Dockerfiles)" bash hack/images/build.sh
step "real node (containerd, kubelet, kube-proxy, CoreDNS, image import)" bash hack/cluster/node-up.sh

install_chart() {
  kubectl apply --server-side --force-conflicts -f helm/skiff/crds/ >/dev/null
  helm upgrade --install skiff helm/skiff --namespace skiff-system --create-namespace \
    --set operator.image.repository="${OPERATOR_IMAGE%:*}" --set operator.image.tag="${OPERATOR_IMAGE##*:}" \
    --set operator.image.pullPolicy=Never \
    --set runtime.image.repository="${RUNTIME_IMAGE%:*}" --set runtime.image.tag="${RUNTIME_IMAGE##*:}" \
    --set operator.replicas=1 --wait --timeout 3m >/dev/null
  # Same tag, maybe a new image: start the operator pod again so it runs the one just built.
  kubectl -n skiff-system rollout restart deploy/skiff-operator >/dev/null
  kubectl -n skiff-system rollout status deploy/skiff-operator --timeout=2m >/dev/null
}
step "helm install (operator pod Ready)" install_chart

rm -f "${figures}"
status=0
python="$(bash hack/python-clients.sh)"  # tritonclient.grpc for the gRPC calls
./mvnw -B -ntp verify -Pe2e -pl operator -am -Dskiff.e2e.runtimeImage="${RUNTIME_IMAGE}" -Dskiff.python="${python}" ${SKIFF_E2E_TEST:+-Dit.test="${SKIFF_E2E_TEST}" -Dit.failIfNoSpecifiedTests=false} || status=$?

echo
echo "== end-to-end figures (real node)"
{
  printf '%s\n' "${timings[@]}"
  [[ -f "${figures}" ]] && cat "${figures}"
} | column -t -s '|' -o '|'
helm uninstall skiff --namespace skiff-system --wait >/dev/null 2>&1 || true
exit "${status}"
