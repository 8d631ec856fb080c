#!/usr/bin/env bash
# Joins one real node to the local control plane that hack/cluster/up.sh started: containerd + runc,
# kubelet, kube-proxy (nftables) and cluster DNS (CoreDNS) run on this host as processes, and pods
# run as real containers on a bridge of their own (${NODE_BRIDGE}, ${NODE_POD_CIDR}).
#   - the node's address is the bridge's own (${NODE_IP}): kubectl logs/exec reach the kubelet there,
#     pods find cluster DNS there, and the API server through the `kubernetes` Service, whose
#     endpoint is a forwarder on that address to the API server on 127.0.0.1;
#   - ClusterIPs (${SERVICE_CIDR}) route to the bridge, and a forward rule keeps pod traffic on it:
#     nothing a pod or a test sends leaves this host;
#   - images come from podman's store (SKIFF_NODE_IMAGES, default: the project's two images, if
#     built), imported into containerd; the pod sandbox image is built from the pause binary;
#   - kwok's fake nodes are cordoned, so new pods run for real.
# hack/cluster/node-down.sh (also run by down.sh) removes everything this made on the host.
# Needs root (network, cgroups, mounts). Idempotent: on a node that is up and Ready it only imports
# the images again (they may have been rebuilt).
set -euo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=../images/podman-env.sh
source "${CLUSTER_HACK_DIR}/../images/podman-env.sh"

TIMEOUT="${SKIFF_CLUSTER_TIMEOUT:-120}"
KUBECTL="${CACHE_BIN}/kubectl"
CONTAINERD_SOCK="${NODE_DIR}/run/containerd.sock"
PAUSE_IMAGE="registry.k8s.io/pause:${PAUSE_VERSION}"
NODE_IMAGES="${SKIFF_NODE_IMAGES:-${RUNTIME_IMAGE} ${OPERATOR_IMAGE}}"

kc() { "${KUBECTL}" --kubeconfig "${KUBECONFIG_FILE}" "$@"; }
ctr_k8s() { ctr --address "${CONTAINERD_SOCK}" --namespace k8s.io "$@"; }

fail() {
  local msg="$1" component="${2:-}"
  printf '\n[node] ERROR: %s\n' "${msg}" >&2
  if [[ -n "${component}" && -f "${LOG_DIR}/${component}.log" ]]; then
    printf '[node] ---- last 40 lines of %s ----\n' "${LOG_DIR}/${component}.log" >&2
    tail -n 40 "${LOG_DIR}/${component}.log" >&2
    printf '[node] ----\n' >&2
  fi
  log "removing the node again (logs kept in ${LOG_DIR})"
  SKIFF_NODE_KEEP_LOGS=1 bash "${CLUSTER_HACK_DIR}/node-down.sh" || true
  exit 1
}

node_ready() {
  [[ "$(kc get node "${NODE_NAME}" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

preflight() {
  local c
  [[ ${EUID} -eq 0 ]] || die "the real node needs root (network, cgroups, mounts)"
  for c in containerd containerd-shim-runc-v2 runc ctr nft ip socat podman; do
    command -v "${c}" >/dev/null ||
      die "${c} is not installed (Debian: containerd runc nftables iproute2 socat podman containernetworking-plugins)"
  done
  [[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] ||
    die "CNI plugins missing in /usr/lib/cni (Debian: containernetworking-plugins)"
  [[ -f "${KUBECONFIG_FILE}" ]] && [[ "$(kc get --raw /readyz 2>/dev/null)" == ok ]] ||
    die "the control plane is not up: run hack/cluster/up.sh first"
  if [[ -f "${NODE_OWNER_FILE}" && "$(cat "${NODE_OWNER_FILE}")" != "${CLUSTER_DIR}" ]]; then
    die "a real node of $(cat "${NODE_OWNER_FILE}") is up on this host; bring it down there first (its hack/cluster/down.sh)"
  fi
  if ip link show "${NODE_BRIDGE}" >/dev/null 2>&1 && [[ ! -f "${NODE_OWNER_FILE}" ]]; then
    die "bridge ${NODE_BRIDGE} exists but no cluster owns it; remove it (ip link del ${NODE_BRIDGE}) or pick another machine"
  fi
}

# The host settings this script changes, recorded so node-down.sh puts them back: IP forwarding
# (pod -> ClusterIP -> pod is routed back out of the bridge) and the kernel tunables that the
# kubelet sets on start (protectKernelDefaults=false).
KERNEL_SYSCTLS=(net.ipv4.ip_forward vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes)
record_host_state() {
  local key
  [[ -f "${NODE_DIR}/host-sysctls" ]] && return 0
  for key in "${KERNEL_SYSCTLS[@]}"; do
    echo "${key}=$(sysctl -n "${key}")"
  done >"${NODE_DIR}/host-sysctls"
  nft list tables >"${NODE_DIR}/host-nft-tables"
}

setup_network() {
  log "network: bridge ${NODE_BRIDGE} ${NODE_IP}/${NODE_POD_CIDR#*/}, route ${SERVICE_CIDR}, nft table ${NODE_NFT_TABLE}"
  echo "${CLUSTER_DIR}" >"${NODE_OWNER_FILE}"
  ip link add "${NODE_BRIDGE}" type bridge
  ip addr add "${NODE_IP}/${NODE_POD_CIDR#*/}" dev "${NODE_BRIDGE}"
  ip link set "${NODE_BRIDGE}" up
  # ClusterIP traffic from the host goes to the bridge, never out of the default route; kube-proxy
  # translates it to a pod address there.
  ip route add "${SERVICE_CIDR}" dev "${NODE_BRIDGE}" src "${NODE_IP}"
  sysctl -qw net.ipv4.ip_forward=1
  # Pods may talk to each other and to this host (DNS, the API server forwarder), nothing else.
  nft -f - <<EOF
table ip ${NODE_NFT_TABLE} {
  chain forward {
    type filter hook forward priority filter; policy accept;
    ip saddr ${NODE_POD_CIDR} ip daddr != ${NODE_POD_CIDR} counter drop
  }
}
EOF
}

write_cni_config() {
  mkdir -p "${NODE_DIR}/cni/net.d" "${NODE_DIR}/cni/ipam"
  cat >"${NODE_DIR}/cni/net.d/10-skiff.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "skiff-node",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "${NODE_BRIDGE}",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "${NODE_DIR}/cni/ipam",
        "ranges": [[{"subnet": "${NODE_POD_CIDR}", "gateway": "${NODE_IP}"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    }
  ]
}
EOF
}

start_containerd() {
  mkdir -p "${NODE_DIR}/containerd" "${NODE_DIR}/run"
  cat >"${NODE_DIR}/containerd/config.toml" <<EOF
version = 2
root = "${NODE_DIR}/containerd/root"
state = "${NODE_DIR}/containerd/state"
oom_score = 0
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = "${CONTAINERD_SOCK}"

[ttrpc]
  address = "${NODE_DIR}/run/containerd.sock.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "${NODE_DIR}/containerd/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  # root may not lower its own oom_score_adj here (no CAP_SYS_RESOURCE): without this every sandbox
  # fails with "can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  # Pod network namespaces under the state folder rather than /var/run/netns.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${NODE_DIR}/cni/net.d"
EOF
  start_process containerd "$(command -v containerd)" --config "${NODE_DIR}/containerd/config.toml"
  wait_until "${TIMEOUT}" "containerd" containerd ctr --address "${CONTAINERD_SOCK}" version
}

# The sandbox image: the static pause binary in a FROM-scratch image, as registry.k8s.io builds it.
import_images() {
  local context image t0
  t0="$(date +%s)"
  if ! podman image exists "${PAUSE_IMAGE}"; then
    context="$(mktemp -d)"
    cp "${CACHE_BIN}/pause" "${context}/pause"
    printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' >"${context}/Containerfile"
    podman build --quiet --pull=never -t "${PAUSE_IMAGE}" "${context}" >/dev/null
    rm -rf "${context}"
  fi
  for image in ${PAUSE_IMAGE} ${NODE_IMAGES}; do
    if ! podman image exists "${image}"; then
      log "images: ${image} is not in podman's store (make images builds the project's); skipped"
      continue
    fi
    log "images: importing ${image} into containerd"
    podman save --format docker-archive "${image}" | ctr_k8s images import - >/dev/null ||
      fail "importing ${image} into containerd failed" containerd
  done
  log "images: imported in $(($(date +%s) - t0))s"
}

start_apiserver_proxy() {
  # Pods reach the API server through the `kubernetes` Service (10.96.0.1:443): its endpoint is this
  # forwarder on the bridge address; the API server itself listens on 127.0.0.1 only.
  start_process apiserver-proxy "$(command -v socat)" \
    "TCP-LISTEN:${APISERVER_PORT},bind=${NODE_IP},reuseaddr,fork" "TCP:127.0.0.1:${APISERVER_PORT}"
  kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Endpoints
metadata:
  name: kubernetes
  namespace: default
subsets:
  - addresses: [{ip: ${NODE_IP}}]
    ports: [{name: https, port: ${APISERVER_PORT}, protocol: TCP}]
EOF
}

start_coredns() {
  mkdir -p "${NODE_DIR}/coredns"
  # Cluster names only; nothing is forwarded upstream (pods have no business outside this host).
  cat >"${NODE_DIR}/coredns/Corefile" <<EOF
cluster.local:53 in-addr.arpa:53 ip6.arpa:53 {
  bind ${NODE_IP}
  errors
  health 127.0.0.1:${COREDNS_HEALTH_PORT}
  ready 127.0.0.1:${COREDNS_READY_PORT}
  kubernetes cluster.local in-addr.arpa ip6.arpa {
    kubeconfig ${KUBECONFIG_FILE} skiff
    pods insecure
    ttl 5
  }
  cache 5
}
.:53 {
  bind ${NODE_IP}
  errors
}
EOF
  start_component coredns -conf "${NODE_DIR}/coredns/Corefile"
  wait_until "${TIMEOUT}" "CoreDNS ready" coredns curl -fsS "http://127.0.0.1:${COREDNS_READY_PORT}/ready"
}

start_kubelet() {
  mkdir -p "${NODE_DIR}/kubelet" "${NODE_DIR}/pod-logs"
  : >"${NODE_DIR}/resolv.conf"
  cat >"${NODE_DIR}/kubelet-config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${NODE_IP}
port: ${KUBELET_PORT}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: ${KUBELET_HEALTHZ_PORT}
containerRuntimeEndpoint: unix://${CONTAINERD_SOCK}
podLogsDir: ${NODE_DIR}/pod-logs
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: ${PKI_DIR}/ca.crt}
authorization: {mode: Webhook}
# cgroups v1 (hybrid) without systemd.
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: /${NODE_NAME}
# No CAP_SYS_RESOURCE: the kubelet may not lower its own OOM score.
oomScoreAdj: 0
clusterDNS: [${NODE_IP}]
clusterDomain: cluster.local
# Pods with dnsPolicy Default get no upstream servers either.
resolvConf: ${NODE_DIR}/resolv.conf
# ConfigMap volumes (the router's config) refresh within ~10 s instead of up to a minute.
syncFrequency: 10s
maxPods: 40
serializeImagePulls: false
# The images are imported, never pulled: keep them however full the shared disk gets.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 200Mi, nodefs.available: 2%, imagefs.available: 2%, nodefs.inodesFree: 2%}
EOF
  local cg
  # The kubelet puts every pod under this cgroup; node-down.sh removes it again.
  for cg in /sys/fs/cgroup/*/; do
    [[ -f "${cg}cgroup.procs" && "${cg}" != */unified/ ]] && mkdir -p "${cg}${NODE_NAME}"
  done
  start_component kubelet --config "${NODE_DIR}/kubelet-config.yaml" \
    --kubeconfig "${KUBECONFIG_FILE}" --root-dir "${NODE_DIR}/kubelet" \
    --cert-dir "${NODE_DIR}/kubelet/pki" --hostname-override "${NODE_NAME}" --node-ip "${NODE_IP}" \
    --node-labels "type=real,skiff.dev/node=real,topology.kubernetes.io/zone=zone-a" --v=1
  wait_until "${TIMEOUT}" "node ${NODE_NAME} Ready" kubelet node_ready
}

start_kube_proxy() {
  start_component kube-proxy --kubeconfig "${KUBECONFIG_FILE}" --proxy-mode nftables \
    --hostname-override "${NODE_NAME}" --cluster-cidr "${NODE_POD_CIDR}" \
    --nodeport-addresses "${NODE_IP}/32" \
    --healthz-bind-address "127.0.0.1:${KUBE_PROXY_HEALTHZ_PORT}" \
    --metrics-bind-address "127.0.0.1:${KUBE_PROXY_METRICS_PORT}" \
    --oom-score-adj 0 --conntrack-max-per-core 0 \
    --conntrack-tcp-timeout-established 0 --conntrack-tcp-timeout-close-wait 0
  wait_until "${TIMEOUT}" "kube-proxy healthz" kube-proxy curl -fsS "http://127.0.0.1:${KUBE_PROXY_HEALTHZ_PORT}/healthz"
}

main() {
  local start
  start="$(date +%s)"
  preflight
  # shellcheck source=/dev/null
  source "${PORTS_FILE}"
  if component_pid kubelet >/dev/null && node_ready; then
    log "real node ${NODE_NAME} already up and Ready; importing the images again"
    import_images
    return 0
  fi
  if [[ -d "${NODE_DIR}" ]]; then
    log "found a half-made node in ${NODE_DIR}; removing it first"
    bash "${CLUSTER_HACK_DIR}/node-down.sh"
  fi
  bash "${CLUSTER_HACK_DIR}/build.sh"
  mkdir -p "${NODE_DIR}" "${PID_DIR}" "${LOG_DIR}"
  trap 'fail "interrupted"' INT TERM

  local taken=""
  KUBELET_PORT="$(pick_port 26250)"; taken+=" ${KUBELET_PORT}"
  KUBELET_HEALTHZ_PORT="$(pick_port 26251 "${taken}")"; taken+=" ${KUBELET_HEALTHZ_PORT}"
  KUBE_PROXY_HEALTHZ_PORT="$(pick_port 26252 "${taken}")"; taken+=" ${KUBE_PROXY_HEALTHZ_PORT}"
  KUBE_PROXY_METRICS_PORT="$(pick_port 26253 "${taken}")"; taken+=" ${KUBE_PROXY_METRICS_PORT}"
  COREDNS_HEALTH_PORT="$(pick_port 26254 "${taken}")"; taken+=" ${COREDNS_HEALTH_PORT}"
  COREDNS_READY_PORT="$(pick_port 26255 "${taken}")"
  cat >"${NODE_DIR}/ports.env" <<EOF
KUBELET_PORT=${KUBELET_PORT}
KUBELET_HEALTHZ_PORT=${KUBELET_HEALTHZ_PORT}
KUBE_PROXY_HEALTHZ_PORT=${KUBE_PROXY_HEALTHZ_PORT}
KUBE_PROXY_METRICS_PORT=${KUBE_PROXY_METRICS_PORT}
COREDNS_HEALTH_PORT=${COREDNS_HEALTH_PORT}
COREDNS_READY_PORT=${COREDNS_READY_PORT}
EOF

  record_host_state
  setup_network
  write_cni_config
  start_containerd
  import_images
  start_apiserver_proxy
  start_coredns
  start_kubelet
  start_kube_proxy

  log "cordoning kwok's fake nodes, so that new pods run on ${NODE_NAME}"
  kc cordon -l type=kwok >/dev/null
  kc get nodes -o wide >&2
  log "real node ${NODE_NAME} up in $(($(date +%s) - start))s (pods: ${NODE_POD_CIDR}, DNS: ${NODE_IP})"
}

main "$@"
