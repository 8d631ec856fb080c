# shellcheck shell=bash
# shellcheck disable=SC2034 # variables are used by the scripts that source this file
# Shared settings for hack/cluster/*.sh. Sourced, not executed.

# ---- pinned versions (change here; build.sh rebuilds what changed) ----
K8S_VERSION="${K8S_VERSION:-v1.36.3}"
# Staging modules (k8s.io/api, client-go, ...) are published as v0.<minor>.<patch>.
K8S_STAGING_VERSION="v0${K8S_VERSION#v1}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
GATEWAY_API_VERSION="${GATEWAY_API_VERSION:-v1.6.3}"

# ---- locations ----
CLUSTER_HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${CLUSTER_HACK_DIR}/../.." && pwd)"
SKIFF_CACHE="${SKIFF_CACHE:-${HOME}/.cache/skiff}"
CACHE_DIR="${SKIFF_CACHE}/k8s/${K8S_VERSION}"
CACHE_BIN="${CACHE_DIR}/bin"
CACHE_KWOK_STAGES="${CACHE_DIR}/kwok-stages"
CACHE_GATEWAY_CRDS="${CACHE_DIR}/gateway-api-crds"
CLUSTER_DIR="${SKIFF_CLUSTER_DIR:-${REPO_ROOT}/.cluster}"

K8S_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
ALL_BINARIES=("${K8S_BINARIES[@]}" etcd kwok helm)

# Go settings: build outside the repo, keep module/build caches (Go defaults unless overridden).
export CGO_ENABLED=0
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export GOFLAGS="-mod=mod -buildvcs=false"

log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[cluster %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

# ---- runtime layout under .cluster/ ----
PKI_DIR="${CLUSTER_DIR}/pki"
PID_DIR="${CLUSTER_DIR}/pids"
LOG_DIR="${CLUSTER_DIR}/logs"
KUBECONFIG_FILE="${CLUSTER_DIR}/kubeconfig"
PORTS_FILE="${CLUSTER_DIR}/ports.env"
# Start order; stop order is the reverse.
COMPONENTS_ORDER=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

# Prints the PID of a component if its pid file names a live process running our binary.
component_pid() {
  local name="$1" pid exe
  [[ -f "${PID_DIR}/${name}.pid" ]] || return 1
  pid="$(cat "${PID_DIR}/${name}.pid")"
  [[ "${pid}" =~ ^[0-9]+$ ]] || return 1
  kill -0 "${pid}" 2>/dev/null || return 1
  # Guard against PID reuse: the process must be the component's binary.
  exe="$(readlink "/proc/${pid}/exe" 2>/dev/null || true)"
  [[ "$(basename "${exe% (deleted)}")" == "${name}" ]] || return 1
  echo "${pid}"
}

# True if the process exists and is not a zombie.
pid_alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z ]]
}

# stop_group <timeout seconds> <component...>: TERM to each component's own PID, then KILL whatever
# is still alive after the timeout.
stop_group() {
  local timeout="$1" i name pid names=() pids=() alive
  shift
  for name in "$@"; do
    if pid="$(component_pid "${name}")"; then
      log "stopping ${name} (pid ${pid})"
      kill -TERM "${pid}" 2>/dev/null || true
      names+=("${name}")
      pids+=("${pid}")
    fi
    rm -f "${PID_DIR}/${name}.pid"
  done
  ((${#pids[@]} > 0)) || return 0
  for ((i = 0; i < timeout * 10; i++)); do
    alive=0
    for pid in "${pids[@]}"; do pid_alive "${pid}" && alive=1; done
    ((alive)) || return 0
    sleep 0.1
  done
  for i in "${!pids[@]}"; do
    if pid_alive "${pids[i]}"; then
      log "${names[i]} (pid ${pids[i]}) did not exit after ${timeout}s, sending KILL"
      kill -KILL "${pids[i]}" 2>/dev/null || true
    fi
  done
  sleep 0.5
}

# Stops everything: clients of the API server first, then kube-apiserver, then etcd (an API server
# whose etcd is gone can hang in its graceful shutdown). The API server usually exits within 2 s, but
# now and then it waits for long-running (watch) streams to drain, up to its 60 s request timeout; its
# state is discarded anyway, so it gets a short grace period before KILL.
# SKIFF_CLUSTER_STOP_TIMEOUT (default 15 s) is the grace period of the other components.
stop_all() {
  local timeout="${SKIFF_CLUSTER_STOP_TIMEOUT:-15}"
  stop_group "${timeout}" kwok kube-scheduler kube-controller-manager
  stop_group "$((timeout < 5 ? timeout : 5))" kube-apiserver
  stop_group "${timeout}" etcd
}
