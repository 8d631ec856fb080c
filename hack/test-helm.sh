#!/usr/bin/env bash
# Tests of the Helm chart against the local control plane (make cluster-up first):
# lint, render with every optional feature, server-side dry-run of the rendered manifests (with the
# Prometheus operator CRDs installed so ServiceMonitors validate), schema rejection of a typo,
# staleness of the chart's CRD copy and dashboards, and install / upgrade / uninstall.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=/dev/null
source .cluster/env
chart=helm/skiff
all_on='metrics.serviceMonitor.enabled=true,metrics.podMonitor.enabled=true,dashboards.enabled=true,networkPolicy.enabled=true'
passed=0 failed=0
check() {  # check <description> <command...>
  local what=$1; shift
  if out=$("$@" 2>&1); then
    echo "ok   - $what"; passed=$((passed + 1))
  else
    echo "FAIL - $what"; echo "$out" | tail -20 | sed 's/^/       /'; failed=$((failed + 1))
  fi
}
expect_failure() {  # expect_failure <description> <expected text> <command...>
  local what=$1 text=$2; shift 2
  if out=$("$@" 2>&1); then
    echo "FAIL - $what (command succeeded)"; failed=$((failed + 1))
  elif grep -q -- "$text" <<<"$out"; then
    echo "ok   - $what"; passed=$((passed + 1))
  else
    echo "FAIL - $what (no '$text' in output)"; echo "$out" | tail -5 | sed 's/^/       /'; failed=$((failed + 1))
  fi
}

# Prometheus operator CRDs from the published Go module (examples/ ships them).
prom_version=v0.85.0
prom_dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/prometheus-operator/prometheus-operator@${prom_version}" \
  | sed -n 's/.*"Dir": "\(.*\)",/\1/p')/example/prometheus-operator-crd
kubectl apply --server-side --force-conflicts -f "$prom_dir/monitoring.coreos.com_servicemonitors.yaml" \
  -f "$prom_dir/monitoring.coreos.com_podmonitors.yaml" >/dev/null
kubectl apply --server-side --force-conflicts -f crds/ >/dev/null

check "chart CRD copy matches crds/" diff -r crds "$chart/crds"
check "dashboards are regenerated" python3 hack/dashboards.py --check
check "helm lint (defaults)" helm lint --strict "$chart"
check "helm lint (every option on)" helm lint --strict "$chart" --set "$all_on" --set 'operator.watchNamespaces={team-a,team-b}'
for ns in skiff-system team-a team-b; do
  kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
done
check "server-side dry run (defaults)" bash -c "helm template skiff $chart -n skiff-system | kubectl apply --dry-run=server -f -"
check "server-side dry run (every option on, namespaced RBAC)" bash -c \
  "helm template skiff $chart -n skiff-system --set '$all_on' --set 'operator.watchNamespaces={team-a,team-b}' | kubectl apply --dry-run=server -f -"
check "server-side dry run (every option on, cluster RBAC)" bash -c \
  "helm template skiff $chart -n skiff-system --set '$all_on' | kubectl apply --dry-run=server -f -"
expect_failure "a values typo is rejected by values.schema.json" "additional properties 'replica' not allowed" \
  helm template skiff "$chart" --set operator.replica=3
expect_failure "a wrong type is rejected by values.schema.json" "operator/replicas" \
  helm template skiff "$chart" --set operator.replicas=two
check "dashboards are ConfigMaps labelled for the Grafana sidecar" bash -c \
  "helm template skiff $chart --set dashboards.enabled=true | grep -q 'grafana_dashboard: \"1\"'"

for path in md md.spec md.status; do
  check "kubectl explain $path has a description" bash -c \
    "kubectl explain $path | sed -n '/^DESCRIPTION:/,/^FIELDS:/{/^[A-Z]*:/d;p}' | grep -q '[a-z]\{4\}'"
done
pom_version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
check "the chart's appVersion is the build's version ($pom_version)" \
  grep -qx "appVersion: \"$pom_version\"" "$chart/Chart.yaml"
check "the ServiceMonitor keeps the operator's namespace/name labels (honorLabels)" bash -c \
  "helm template skiff $chart --set metrics.serviceMonitor.enabled=true --show-only templates/monitoring.yaml | grep -q 'honorLabels: true'"
check "NOTES' CRD upgrade command works (helm show crds | kubectl apply)" bash -c \
  "helm show crds $chart | kubectl apply --server-side --force-conflicts --dry-run=server -f - >/dev/null"
expect_failure "a watchNamespaces entry that does not exist fails the install, naming it" \
  'namespace "no-such-namespace" does not exist' \
  helm install skiff-missing "$chart" -n skiff-system --set 'operator.watchNamespaces={no-such-namespace}'
check "... and leaves no release and no Role behind" bash -c \
  "! helm status skiff-missing -n skiff-system >/dev/null 2>&1 && [[ -z \$(kubectl get roles -A -l app.kubernetes.io/instance=skiff-missing -o name) ]]"

check "helm install" helm install skiff "$chart" -n skiff-system --wait --timeout 2m \
  --set 'operator.image.repository=example.invalid/skiff-operator,runtime.image.repository=example.invalid/skiff-runtime'
check "operator Deployment available (kwok runs its pods)" \
  kubectl -n skiff-system rollout status deployment/skiff-operator --timeout=60s
# The chart's RBAC is enough to run the operator: run the real operator jar with a token of the
# chart's ServiceAccount and reconcile an example to Ready.
sa=system:serviceaccount:skiff-system:skiff
check "least privilege: the operator cannot read Secrets" bash -c "[[ \$(kubectl auth can-i list secrets --as=$sa -A) == no ]]"
check "least privilege: no wildcard verbs or resources" bash -c "! helm template skiff $chart | grep -E '(verbs|resources): \\[?\\\"?\\*'"
check "the operator's ServiceAccount may patch ModelDeployment status" bash -c "[[ \$(kubectl auth can-i patch modeldeployments.skiff.dev/status --as=$sa -A) == yes ]]"
if [[ -f operator/target/skiff-operator.jar ]]; then
  work=$(mktemp -d)
  cp "$KUBECONFIG" "$work/kubeconfig"
  token=$(kubectl -n skiff-system create token skiff --duration=20m)
  KUBECONFIG=$work/kubeconfig kubectl config set-credentials skiff-operator --token="$token" >/dev/null
  KUBECONFIG=$work/kubeconfig kubectl config set-context --current --user=skiff-operator >/dev/null
  kubectl create namespace rbac-test --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  KUBECONFIG=$work/kubeconfig "$(hack/java-home.sh)/bin/java" -jar operator/target/skiff-operator.jar \
    --no-leader-election --port 0 >"$work/operator.log" 2>&1 &
  operator_pid=$!
  kubectl -n rbac-test apply -f examples/iris.yaml >/dev/null
  check "an example reconciles to Ready under the chart's RBAC (operator runs as its ServiceAccount)" \
    kubectl -n rbac-test wait --for=condition=Ready md/iris --timeout=180s
  kill "$operator_pid" 2>/dev/null || true
  wait "$operator_pid" 2>/dev/null || true
  # An RBAC denial reads 'User "system:serviceaccount:..." cannot <verb> resource ...'; other
  # "forbidden" answers (e.g. events in a namespace being deleted by an earlier test) are not RBAC.
  if grep -q 'cannot [a-z]* resource' "$work/operator.log"; then
    echo "FAIL - the operator log shows RBAC denials:"; grep 'cannot [a-z]* resource' "$work/operator.log" | head -5
    failed=$((failed + 1))
  fi
  kubectl delete namespace rbac-test --wait=false >/dev/null
  rm -rf "$work"
else
  echo "FAIL - operator/target/skiff-operator.jar is missing (run ./mvnw package first)"; failed=$((failed + 1))
fi

check "helm upgrade (one replica, no leader election)" helm upgrade skiff "$chart" -n skiff-system --wait --timeout 2m \
  --reuse-values --set operator.replicas=1
check "upgrade applied" bash -c "kubectl -n skiff-system get deployment skiff-operator -o jsonpath='{.spec.template.spec.containers[0].args}' | grep -q -- --no-leader-election"
check "helm uninstall" helm uninstall skiff -n skiff-system --wait --timeout 2m
check "CRD stays after uninstall (Helm never deletes crds/)" kubectl get crd modeldeployments.skiff.dev
check "createWatchNamespaces creates a missing watched namespace and its Role" bash -c \
  "helm install skiff-ns $chart -n skiff-system --set 'operator.watchNamespaces={team-created},operator.createWatchNamespaces=true' >/dev/null \
   && kubectl -n team-created get role skiff-ns-operator >/dev/null"
check "... which stays after uninstall (it holds the user's models)" bash -c \
  "helm uninstall skiff-ns -n skiff-system --wait --timeout 2m >/dev/null && kubectl get namespace team-created >/dev/null"
kubectl delete namespace team-created --wait=false >/dev/null 2>&1 || true

echo "helm chart: ${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
