#!/usr/bin/env bash
# Checks that the local test cluster (hack/cluster/up.sh) behaves like a real one for Skiff's tests:
#   - server version, Ready fake nodes (one with nvidia.com/gpu)
#   - a Deployment gets a ReplicaSet and Pods that become Running/Ready (kwok), and GC removes them on delete
#   - a Pod requesting nvidia.com/gpu schedules onto the GPU node
#   - a CRD validation rule (x-kubernetes-validations, CEL) is enforced
#   - an HPA is accepted and the HPA controller sets conditions on it
#   - helm template works against the cluster's version
# Uses a throwaway namespace, which it deletes at the end.
set -euo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

command -v jq >/dev/null || die "jq is required"
[[ -f "${KUBECONFIG_FILE}" ]] || die "no ${KUBECONFIG_FILE}: run hack/cluster/up.sh first"
export KUBECONFIG="${KUBECONFIG_FILE}"
export PATH="${CLUSTER_DIR}/bin:${PATH}"
NS="skiff-smoke-$$"
TMP="$(mktemp -d)"
cleanup() {
  kubectl delete namespace "${NS}" --wait=false --ignore-not-found >/dev/null 2>&1 || true
  kubectl delete crd widgets.smoke.skiff.local --ignore-not-found >/dev/null 2>&1 || true
  rm -rf "${TMP}"
}
trap cleanup EXIT

pass() { log "PASS: $*"; }

# wait_for <seconds> <description> <command...>
wait_for() {
  local secs="$1" what="$2" deadline
  shift 2
  deadline=$(($(date +%s) + secs))
  until "$@" >/dev/null 2>&1; do
    (($(date +%s) < deadline)) || die "timed out after ${secs}s waiting for ${what}"
    sleep 1
  done
}

server_version="$(kubectl version -o json | jq -r .serverVersion.gitVersion)"
[[ "${server_version}" == "${K8S_VERSION}" ]] || die "server reports ${server_version}, want ${K8S_VERSION}"
pass "server version ${server_version}"

kubectl wait --for=condition=Ready node --all --timeout=60s >/dev/null
[[ "$(kubectl get nodes -o json | jq '[.items[] | select(.status.allocatable["nvidia.com/gpu"] == "4")] | length')" == 1 ]] ||
  die "expected exactly one node with allocatable nvidia.com/gpu=4"
pass "$(kubectl get nodes --no-headers | wc -l) nodes Ready, one with 4 GPUs"

kubectl create namespace "${NS}" >/dev/null
wait_for 60 "ServiceAccount ${NS}/default" kubectl -n "${NS}" get serviceaccount default

# ---- Deployment -> ReplicaSet -> Pods Running/Ready -> GC ----
kubectl -n "${NS}" create deployment smoke --image example.invalid/x --replicas 2 >/dev/null
kubectl -n "${NS}" rollout status deployment/smoke --timeout=90s >/dev/null
running="$(kubectl -n "${NS}" get pods -l app=smoke -o json |
  jq '[.items[] | select(.status.phase == "Running" and (.status.conditions[] | select(.type == "Ready") | .status) == "True")] | length')"
[[ "${running}" == 2 ]] || die "expected 2 Running/Ready pods, got ${running}"
[[ "$(kubectl -n "${NS}" get rs -l app=smoke -o name | wc -l)" == 1 ]] || die "expected 1 ReplicaSet"
sa_token_mounted="$(kubectl -n "${NS}" get pods -l app=smoke -o json | jq '[.items[0].spec.volumes[]? | select(.name | startswith("kube-api-access"))] | length')"
[[ "${sa_token_mounted}" == 1 ]] || die "ServiceAccount admission did not add the kube-api-access volume"
pass "Deployment rolled out: 1 ReplicaSet, 2 Pods Running/Ready (ServiceAccount admission active)"

# Succeeds only when kubectl works and lists nothing for the selector.
none_left() {
  local out
  out="$(kubectl -n "${NS}" get "$1" -l "$2" -o name)" || return 1
  [[ -z "${out}" ]]
}
kubectl -n "${NS}" delete deployment smoke --wait=true >/dev/null
wait_for 60 "ReplicaSet and Pods of the deleted Deployment to be garbage-collected" none_left replicasets,pods app=smoke
pass "Deployment deleted, ReplicaSet and Pods garbage-collected"

# ---- GPU pod schedules on the GPU node ----
kubectl -n "${NS}" apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: gpu
spec:
  containers:
  - name: c
    image: example.invalid/x
    resources:
      limits:
        nvidia.com/gpu: "2"
EOF
kubectl -n "${NS}" wait --for=condition=Ready pod/gpu --timeout=60s >/dev/null
node="$(kubectl -n "${NS}" get pod gpu -o jsonpath='{.spec.nodeName}')"
[[ "$(kubectl get node "${node}" -o jsonpath='{.status.allocatable.nvidia\.com/gpu}')" == 4 ]] ||
  die "GPU pod landed on ${node}, which has no GPUs"
pass "GPU pod scheduled on ${node} and Ready"

# ---- CRD with a CEL validation rule ----
kubectl apply -f - >/dev/null <<'EOF'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.smoke.skiff.local
spec:
  group: smoke.skiff.local
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: "self.minReplicas <= self.maxReplicas"
              message: "minReplicas must be <= maxReplicas"
            properties:
              minReplicas: {type: integer}
              maxReplicas: {type: integer}
EOF
kubectl wait --for=condition=Established crd/widgets.smoke.skiff.local --timeout=30s >/dev/null
good='{"apiVersion":"smoke.skiff.local/v1","kind":"Widget","metadata":{"name":"good"},"spec":{"minReplicas":1,"maxReplicas":3}}'
bad='{"apiVersion":"smoke.skiff.local/v1","kind":"Widget","metadata":{"name":"bad"},"spec":{"minReplicas":5,"maxReplicas":3}}'
apply_good() { kubectl -n "${NS}" apply -f - <<<"${good}"; }
wait_for 30 "Widget API to be served" apply_good
if echo "${bad}" | kubectl -n "${NS}" apply -f - >"${TMP}/bad.out" 2>&1; then
  die "CEL rule not enforced: invalid Widget was accepted"
fi
grep -q "minReplicas must be <= maxReplicas" "${TMP}/bad.out" || die "unexpected error: $(cat "${TMP}/bad.out")"
pass "CRD CEL rule enforced ($(grep -o 'minReplicas must be <= maxReplicas' "${TMP}/bad.out"))"

# ---- HPA ----
kubectl -n "${NS}" create deployment hpa-target --image example.invalid/x --replicas 1 >/dev/null
kubectl -n "${NS}" set resources deployment hpa-target --requests cpu=100m >/dev/null
kubectl -n "${NS}" autoscale deployment hpa-target --min 1 --max 3 --cpu 50% >/dev/null
hpa_has_conditions() {
  [[ -n "$(kubectl -n "${NS}" get hpa hpa-target -o jsonpath='{.status.conditions[*].type}')" ]]
}
wait_for 90 "HPA conditions" hpa_has_conditions
pass "HPA created, conditions: $(kubectl -n "${NS}" get hpa hpa-target -o json |
  jq -r '[.status.conditions[] | "\(.type)=\(.status)"] | join(" ")')"

# ---- helm ----
helm create "${TMP}/chart" >/dev/null
helm template smoke "${TMP}/chart" --namespace "${NS}" >/dev/null
helm install smoke "${TMP}/chart" --namespace "${NS}" --set image.repository=example.invalid/x --wait --timeout 90s >/dev/null
pass "helm $(helm version --short) template + install --wait"

log "all smoke checks passed"
