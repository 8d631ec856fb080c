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
# The real node's cluster DNS (a wrapper with only the plugins it uses) and its pod sandbox image,
# compiled from the kubernetes module's build/pause/linux/pause.c.
COREDNS_VERSION="${COREDNS_VERSION:-v1.14.7}"
PAUSE_VERSION="${PAUSE_VERSION:-3.10.2}"

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
# The real node's agents: their own wrapper module and stamp, so the control plane's stay as they are.
K8S_NODE_BINARIES=(kubelet kube-proxy)
ALL_BINARIES=("${K8S_BINARIES[@]}" "${K8S_NODE_BINARIES[@]}" etcd kwok helm coredns pause)

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

# ---- the real node (node-up.sh / node-down.sh): one per host, since its network is the host's ----
NODE_NAME="skiff-real-0"
NODE_DIR="${CLUSTER_DIR}/node"
NODE_BRIDGE="skiff-br0"
NODE_POD_CIDR="10.245.0.0/24"
# The bridge's own address: the node's InternalIP, its cluster DNS, and the API server for pods.
NODE_IP="10.245.0.1"
SERVICE_CIDR="10.96.0.0/16"
NODE_NFT_TABLE="skiff_node"
# Which cluster directory owns the host's real node (so one checkout never tears down another's).
NODE_OWNER_FILE="/run/skiff-node.owner"
# Start order; stop order is the reverse.
NODE_COMPONENTS=(containerd apiserver-proxy coredns kubelet kube-proxy)

# Prints the PID of a component if its pid file names a live process running our binary.
component_pid() {
  local name="$1" pid exe
  [[ -f "${PID_DIR}/${name}.pid" ]] || return 1
  pid="$(cat "${PID_DIR}/${name}.pid")"
  [[ "${pid}" =~ ^[0-9]+$ ]] || return 1
  kill -0 "${pid}" 2>/dev/null || return 1
  # Guard against PID reuse: the process must be the component's binary (named like the component
  # unless start_process recorded another file name).
  exe="$(readlink "/proc/${pid}/exe" 2>/dev/null || true)"
  [[ "$(basename "${exe% (deleted)}")" == "$(cat "${PID_DIR}/${name}.exe" 2>/dev/null || echo "${name}")" ]] || return 1
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
    rm -f "${PID_DIR}/${name}.pid" "${PID_DIR}/${name}.exe"
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

# ---- starting components (the calling script defines fail <message> [component]) ----

# True if nothing listens on 127.0.0.1:<port> (ss if available, else a connect attempt).
port_free() {
  if command -v ss >/dev/null; then
    [[ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]
  else
    if (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 1; fi
  fi
}

# Prints the preferred port if free, else the next free one above it.
pick_port() {
  local p="$1" taken=" ${2:-} "
  while ! port_free "${p}" || [[ "${taken}" == *" ${p} "* ]]; do
    p=$((p + 1))
    ((p < 65000)) || die "no free port found"
  done
  echo "${p}"
}

# Starts a component (a binary of the cache) in its own session; its PID is the binary's own PID.
start_component() {
  local name="$1"
  shift
  start_process "${name}" "${CACHE_BIN}/${name}" "$@"
}

# start_process <name> <binary> <args...>: like start_component for any binary whose file name is
# <name> (component_pid checks it, so a reused PID is never taken for ours).
start_process() {
  local name="$1" binary="$2"
  shift 2
  log "starting ${name}"
  : >"${LOG_DIR}/${name}.log"
  local file
  file="$(basename "$(readlink -f "${binary}")")"
  if [[ "${file}" != "${name}" ]]; then echo "${file}" >"${PID_DIR}/${name}.exe"; fi
  # bash writes its own PID, then execs the binary, so the PID file names the binary's process.
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "${PID_DIR}/${name}.pid" \
    "${binary}" "$@" >>"${LOG_DIR}/${name}.log" 2>&1 </dev/null &
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s "${PID_DIR}/${name}.pid" ]] && break
    sleep 0.1
  done
  [[ -s "${PID_DIR}/${name}.pid" ]] || fail "${name} did not start" "${name}"
}

# wait_until <seconds> <description> <component to watch> <command...>
wait_until() {
  local secs="$1" what="$2" component="$3" deadline
  shift 3
  deadline=$(($(date +%s) + secs))
  until "$@" >/dev/null 2>&1; do
    if [[ -n "${component}" ]] && ! component_pid "${component}" >/dev/null; then
      fail "${component} exited while waiting for ${what}" "${component}"
    fi
    (($(date +%s) < deadline)) || fail "timed out after ${secs}s waiting for ${what}" "${component}"
    sleep 0.5
  done
}
