#!/usr/bin/env bash
# Removes the real node that hack/cluster/node-up.sh made, and everything it made on the host:
# its processes (by PID), every container process (by the node's cgroups) and containerd's shims,
# the mounts under .cluster/node, the cgroups, the nft tables (ours and kube-proxy's), the bridge
# and its route, the CNI address records, and the kernel settings it changed (restored).
# Idempotent: with no node it does nothing. down.sh runs it first.
set -euo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CONTAINERD_SOCK="${NODE_DIR}/run/containerd.sock"
STOP_TIMEOUT="${SKIFF_CLUSTER_STOP_TIMEOUT:-15}"

owned_here() { [[ -f "${NODE_OWNER_FILE}" && "$(cat "${NODE_OWNER_FILE}")" == "${CLUSTER_DIR}" ]]; }

if [[ ! -d "${NODE_DIR}" ]] && ! owned_here; then
  exit 0
fi

# Processes of the node's pods: every task in the cgroups the kubelet made under /<node name>.
node_cgroup_pids() {
  local cg
  for cg in /sys/fs/cgroup/*/"${NODE_NAME}"; do
    [[ -d "${cg}" ]] && find "${cg}" -name cgroup.procs -exec cat {} + 2>/dev/null
  done | sort -u
}

# containerd's shims outlive containerd by design; ours name our socket on their command line.
node_shim_pids() {
  local pid
  for pid in $(pgrep -x containerd-shim-runc-v2 2>/dev/null || true); do
    tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null | grep -qF -- "${CONTAINERD_SOCK}" && echo "${pid}"
  done
}

kill_all() {  # kill_all <what> <function printing PIDs>
  local what="$1" list="$2" pids i
  for ((i = 0; i < 50; i++)); do
    pids="$("${list}")"
    [[ -z "${pids}" ]] && return 0
    # shellcheck disable=SC2086 # one PID per word
    kill -KILL ${pids} 2>/dev/null || true
    sleep 0.2
  done
  log "some ${what} did not exit: ${pids}"
}

# The kubelet keeps a few iptables chains of its own (through iptables-nft): KUBE-FIREWALL (drops
# outside traffic to 127.0.0.0/8, CVE-2020-8558), KUBE-KUBELET-CANARY, KUBE-IPTABLES-HINT. Remove
# them, and the nft tables iptables made for them if nothing else uses those tables.
remove_kubelet_iptables_chains() {
  local tool table chain family
  for tool in iptables ip6tables; do
    command -v "${tool}" >/dev/null || continue
    "${tool}" -w -t filter -D INPUT -j KUBE-FIREWALL 2>/dev/null || true
    "${tool}" -w -t filter -D OUTPUT -j KUBE-FIREWALL 2>/dev/null || true
    for table in filter nat mangle; do
      for chain in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT; do
        "${tool}" -w -t "${table}" -F "${chain}" 2>/dev/null && "${tool}" -w -t "${table}" -X "${chain}" 2>/dev/null || true
      done
      family=ip
      [[ ${tool} == ip6tables ]] && family=ip6
      # A table iptables made for the kubelet alone: not there before node-up, now without rules.
      if [[ -f "${NODE_DIR}/host-nft-tables" ]] && ! grep -qx "table ${family} ${table}" "${NODE_DIR}/host-nft-tables" &&
        ! "${tool}-save" -t "${table}" 2>/dev/null | grep -qE '^(-A|:[A-Z0-9_-]+ - )'; then
        nft delete table "${family}" "${table}" 2>/dev/null || true
      fi
    done
  done
}

log "removing real node ${NODE_NAME}"
stop_group "${STOP_TIMEOUT}" kube-proxy kubelet coredns apiserver-proxy
kill_all "pod processes" node_cgroup_pids
stop_group "${STOP_TIMEOUT}" containerd
kill_all "containerd shims" node_shim_pids

# Mounts the kubelet and containerd leave (volumes, rootfs overlays, netns and shm), deepest first.
if [[ -d "${NODE_DIR}" ]]; then
  node_dir_real="$(readlink -f "${NODE_DIR}")"
  while read -r target; do
    umount "${target}" 2>/dev/null || umount -l "${target}" 2>/dev/null || log "could not unmount ${target}"
  done < <(awk -v dir="${node_dir_real}/" 'index($5, dir) == 1 {print $5}' /proc/self/mountinfo | sort -r)
fi

for cg in /sys/fs/cgroup/*/"${NODE_NAME}"; do
  [[ -d "${cg}" ]] && find "${cg}" -depth -type d -exec rmdir {} + 2>/dev/null || true
done

if owned_here; then
  nft delete table ip "${NODE_NFT_TABLE}" 2>/dev/null || true
  # kube-proxy's own tables (nftables mode); `kube-proxy --cleanup` would do the same.
  nft delete table ip kube-proxy 2>/dev/null || true
  nft delete table ip6 kube-proxy 2>/dev/null || true
  remove_kubelet_iptables_chains
  ip link del "${NODE_BRIDGE}" 2>/dev/null || true
  if [[ -f "${NODE_DIR}/host-sysctls" ]]; then
    while IFS='=' read -r key value; do
      sysctl -qw "${key}=${value}" || log "could not restore ${key}=${value}"
    done <"${NODE_DIR}/host-sysctls"
  fi
  rm -f "${NODE_OWNER_FILE}"
fi

# With the control plane still up (SKIFF_KEEP_CLUSTER=1, or node-down alone), forget the node and
# give the pods back to kwok's nodes.
if [[ -f "${KUBECONFIG_FILE}" ]] && "${CACHE_BIN}/kubectl" --kubeconfig "${KUBECONFIG_FILE}" get --raw /readyz >/dev/null 2>&1; then
  "${CACHE_BIN}/kubectl" --kubeconfig "${KUBECONFIG_FILE}" delete node "${NODE_NAME}" --ignore-not-found --wait=false >/dev/null || true
  "${CACHE_BIN}/kubectl" --kubeconfig "${KUBECONFIG_FILE}" uncordon -l type=kwok >/dev/null || true
fi

rm -rf --one-file-system "${NODE_DIR}"
log "real node removed"
