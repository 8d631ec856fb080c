#!/usr/bin/env bash
# Starts a local Kubernetes control plane for tests, on 127.0.0.1 only, without a container runtime:
#   etcd -> kube-apiserver -> kube-controller-manager, kube-scheduler, kwok (fake kubelets) -> fake Nodes.
# State lives in .cluster/ (gitignored): kubeconfig, env, bin/, pki/, pids/, logs/, etcd/, crds/.
# Idempotent: if the cluster is already up and healthy it says so and exits 0.
# Env: SKIFF_CACHE (binary cache root), SKIFF_CLUSTER_DIR (default <repo>/.cluster),
#      SKIFF_CLUSTER_INSTALL_GATEWAY_API=1 (also apply the Gateway API CRDs), SKIFF_CLUSTER_TIMEOUT (s, default 120).
set -euo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TIMEOUT="${SKIFF_CLUSTER_TIMEOUT:-120}"
SERVICE_CIDR="10.96.0.0/16"
FIRST_SERVICE_IP="10.96.0.1"
POD_CIDR="10.244.0.0/16"
KUBECTL="${CACHE_BIN}/kubectl"

kc() { "${KUBECTL}" --kubeconfig "${KUBECONFIG_FILE}" "$@"; }

# Fails with the tail of a component's log, after stopping what this run started.
fail() {
  local msg="$1" component="${2:-}"
  printf '\n[cluster] ERROR: %s\n' "${msg}" >&2
  if [[ -n "${component}" && -f "${LOG_DIR}/${component}.log" ]]; then
    printf '[cluster] ---- last 40 lines of %s ----\n' "${LOG_DIR}/${component}.log" >&2
    tail -n 40 "${LOG_DIR}/${component}.log" >&2
    printf '[cluster] ----\n' >&2
  fi
  log "stopping the components started so far (logs kept in ${LOG_DIR}; run hack/cluster/down.sh to clean up)"
  stop_all
  exit 1
}

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

cluster_healthy() {
  local c
  [[ -f "${KUBECONFIG_FILE}" && -f "${PORTS_FILE}" ]] || return 1
  for c in "${COMPONENTS_ORDER[@]}"; do component_pid "${c}" >/dev/null || return 1; done
  [[ "$(kc get --raw /readyz 2>/dev/null)" == "ok" ]]
}

# Starts a component in its own session; its PID is the binary's own PID.
start_component() {
  local name="$1"
  shift
  log "starting ${name}"
  : >"${LOG_DIR}/${name}.log"
  # bash writes its own PID, then execs the binary, so the PID file names the binary's process.
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "${PID_DIR}/${name}.pid" \
    "${CACHE_BIN}/${name}" "$@" >>"${LOG_DIR}/${name}.log" 2>&1 </dev/null &
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

# Key options for openssl req: EC P-256 is fast to generate; RSA where Java clients read the key.
EC_KEY=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1)
RSA_KEY=(-newkey rsa:2048)

# new_ca <name> <CN>
new_ca() {
  openssl req -x509 "${EC_KEY[@]}" -nodes -keyout "$1.key" -out "$1.crt" -days 3650 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
}

# new_cert <name> <subject> <ca name> <ec|rsa> <extension lines...>
new_cert() {
  local name="$1" subject="$2" ca="$3" key=("${EC_KEY[@]}") usage="digitalSignature"
  if [[ "$4" == rsa ]]; then
    key=("${RSA_KEY[@]}")
    usage+=",keyEncipherment"
  fi
  shift 4
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,${usage}" "$@" >"${name}.ext"
  openssl req -new "${key[@]}" -nodes -keyout "${name}.key" -out "${name}.csr" -subj "${subject}" 2>/dev/null
  openssl x509 -req -in "${name}.csr" -CA "${ca}.crt" -CAkey "${ca}.key" -CAcreateserial -days 365 \
    -extfile "${name}.ext" -out "${name}.crt" 2>/dev/null
  rm -f "${name}.csr" "${name}.ext" "${ca}.srl"
}

gen_pki() {
  log "generating PKI in ${PKI_DIR}"
  mkdir -p "${PKI_DIR}"
  (
    cd "${PKI_DIR}"
    umask 077
    new_ca ca skiff-test-ca
    new_cert apiserver "/CN=kube-apiserver" ca ec "extendedKeyUsage=serverAuth" \
      "subjectAltName=IP:127.0.0.1,IP:${FIRST_SERVICE_IP},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
    # RSA (PKCS#8) so that Java clients (Fabric8) read the admin key without BouncyCastle.
    new_cert admin "/O=system:masters/CN=skiff-admin" ca rsa "extendedKeyUsage=clientAuth"
    # Front proxy (request-header authentication for aggregated APIs, e.g. metrics-server).
    new_ca front-proxy-ca skiff-front-proxy-ca
    new_cert front-proxy-client "/CN=front-proxy-client" front-proxy-ca ec "extendedKeyUsage=clientAuth"
    # ServiceAccount token signing key pair.
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  )
}

write_kubeconfig() {
  local tmp="${KUBECONFIG_FILE}.tmp"
  rm -f "${tmp}"
  "${KUBECTL}" config --kubeconfig "${tmp}" set-cluster skiff --server "https://127.0.0.1:${APISERVER_PORT}" \
    --certificate-authority "${PKI_DIR}/ca.crt" --embed-certs=true >/dev/null
  "${KUBECTL}" config --kubeconfig "${tmp}" set-credentials skiff-admin \
    --client-certificate "${PKI_DIR}/admin.crt" --client-key "${PKI_DIR}/admin.key" --embed-certs=true >/dev/null
  "${KUBECTL}" config --kubeconfig "${tmp}" set-context skiff --cluster skiff --user skiff-admin --namespace default >/dev/null
  "${KUBECTL}" config --kubeconfig "${tmp}" use-context skiff >/dev/null
  chmod 600 "${tmp}"
  mv "${tmp}" "${KUBECONFIG_FILE}"
}

write_env_and_links() {
  local b
  mkdir -p "${CLUSTER_DIR}/bin" "${CLUSTER_DIR}/crds/gateway-api"
  for b in "${ALL_BINARIES[@]}"; do ln -sfn "${CACHE_BIN}/${b}" "${CLUSTER_DIR}/bin/${b}"; done
  install -m 0644 "${CACHE_GATEWAY_CRDS}"/*.yaml "${CLUSTER_DIR}/crds/gateway-api/"
  cat >"${CLUSTER_DIR}/env" <<EOF
# Generated by hack/cluster/up.sh: source it to use the local test cluster.
export KUBECONFIG="${KUBECONFIG_FILE}"
export PATH="${CLUSTER_DIR}/bin:\${PATH}"
EOF
}

fake_nodes_manifest() {
  local name gpu
  for name in skiff-node-0 skiff-gpu-node-0; do
    gpu=""
    [[ "${name}" == *gpu* ]] && gpu=1
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: ${name}
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: ${name}
    node-role.kubernetes.io/worker: ""
    topology.kubernetes.io/zone: zone-a
EOF
    if [[ -n "${gpu}" ]]; then
      cat <<EOF
    accelerator: nvidia
    nvidia.com/gpu.present: "true"
    nvidia.com/gpu.count: "4"
    nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3
EOF
    fi
    cat <<EOF
spec:
  podCIDR: ${POD_CIDR}
status:
  allocatable: &res
    cpu: "16"
    memory: 64Gi
    pods: "110"
    ephemeral-storage: 100Gi
EOF
    [[ -n "${gpu}" ]] && echo '    nvidia.com/gpu: "4"'
    echo '  capacity: *res'
  done
}

main() {
  local start
  start="$(date +%s)"

  if cluster_healthy; then
    log "cluster already up and healthy (KUBECONFIG=${KUBECONFIG_FILE}); nothing to do"
    return 0
  fi

  bash "${CLUSTER_HACK_DIR}/build.sh"
  trap 'fail "interrupted"' INT TERM
  command -v openssl >/dev/null || die "openssl is required"
  command -v curl >/dev/null || die "curl is required"

  if [[ -d "${CLUSTER_DIR}" ]]; then
    log "found stale state in ${CLUSTER_DIR}; stopping leftovers and starting fresh"
    stop_all
    rm -rf "${CLUSTER_DIR}"
  fi
  mkdir -p "${PID_DIR}" "${LOG_DIR}" "${CLUSTER_DIR}/etcd"
  chmod 700 "${CLUSTER_DIR}/etcd"

  local taken=""
  ETCD_PORT="$(pick_port 23790)"; taken+=" ${ETCD_PORT}"
  ETCD_PEER_PORT="$(pick_port 23800 "${taken}")"; taken+=" ${ETCD_PEER_PORT}"
  APISERVER_PORT="$(pick_port 26443 "${taken}")"; taken+=" ${APISERVER_PORT}"
  KCM_PORT="$(pick_port 26257 "${taken}")"; taken+=" ${KCM_PORT}"
  SCHEDULER_PORT="$(pick_port 26259 "${taken}")"; taken+=" ${SCHEDULER_PORT}"
  KWOK_PORT="$(pick_port 26247 "${taken}")"
  cat >"${PORTS_FILE}" <<EOF
ETCD_PORT=${ETCD_PORT}
ETCD_PEER_PORT=${ETCD_PEER_PORT}
APISERVER_PORT=${APISERVER_PORT}
KCM_PORT=${KCM_PORT}
SCHEDULER_PORT=${SCHEDULER_PORT}
KWOK_PORT=${KWOK_PORT}
EOF

  gen_pki
  write_kubeconfig
  write_env_and_links

  # ---- etcd ----
  start_component etcd \
    --name skiff --data-dir "${CLUSTER_DIR}/etcd" --unsafe-no-fsync \
    --listen-client-urls "http://127.0.0.1:${ETCD_PORT}" --advertise-client-urls "http://127.0.0.1:${ETCD_PORT}" \
    --listen-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" \
    --initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" \
    --initial-cluster "skiff=http://127.0.0.1:${ETCD_PEER_PORT}" \
    --log-level warn
  wait_until "${TIMEOUT}" "etcd /health" etcd curl -fsS "http://127.0.0.1:${ETCD_PORT}/health"

  # ---- kube-apiserver ----
  start_component kube-apiserver \
    --etcd-servers "http://127.0.0.1:${ETCD_PORT}" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "${APISERVER_PORT}" \
    --cert-dir "${PKI_DIR}" --tls-cert-file "${PKI_DIR}/apiserver.crt" --tls-private-key-file "${PKI_DIR}/apiserver.key" \
    --client-ca-file "${PKI_DIR}/ca.crt" \
    --requestheader-client-ca-file "${PKI_DIR}/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "${PKI_DIR}/front-proxy-client.crt" --proxy-client-key-file "${PKI_DIR}/front-proxy-client.key" \
    --authorization-mode RBAC --allow-privileged=true \
    --enable-admission-plugins ServiceAccount \
    --service-cluster-ip-range "${SERVICE_CIDR}" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "${PKI_DIR}/sa.pub" --service-account-signing-key-file "${PKI_DIR}/sa.key" \
    --endpoint-reconciler-type none \
    --profiling=false
  wait_until "${TIMEOUT}" "kube-apiserver /readyz" kube-apiserver \
    curl -fsS --cacert "${PKI_DIR}/ca.crt" --cert "${PKI_DIR}/admin.crt" --key "${PKI_DIR}/admin.key" \
    "https://127.0.0.1:${APISERVER_PORT}/readyz"
  log "kube-apiserver ready: $(kc version -o json 2>/dev/null | sed -nE 's/.*"gitVersion": "([^"]+)".*/\1/p' | tail -1)"

  # ---- controllers, scheduler, fake kubelets ----
  local common=(--kubeconfig "${KUBECONFIG_FILE}" --authentication-kubeconfig "${KUBECONFIG_FILE}"
    --authorization-kubeconfig "${KUBECONFIG_FILE}" --bind-address 127.0.0.1 --leader-elect=false)
  start_component kube-controller-manager "${common[@]}" --secure-port "${KCM_PORT}" \
    --root-ca-file "${PKI_DIR}/ca.crt" --service-account-private-key-file "${PKI_DIR}/sa.key" \
    --use-service-account-credentials=false \
    --cluster-signing-cert-file "${PKI_DIR}/ca.crt" --cluster-signing-key-file "${PKI_DIR}/ca.key" \
    --service-cluster-ip-range "${SERVICE_CIDR}" --cluster-cidr "${POD_CIDR}" \
    --controllers '*' \
    --node-monitor-grace-period 10m
  start_component kube-scheduler "${common[@]}" --secure-port "${SCHEDULER_PORT}"
  local stages
  stages="$(printf '%s,' "${CACHE_KWOK_STAGES}"/*.yaml)"
  start_component kwok --kubeconfig "${KUBECONFIG_FILE}" --config "${stages%,}" \
    --manage-all-nodes=true --cidr "${POD_CIDR}" --node-ip 127.0.0.1 \
    --node-lease-duration-seconds 40 \
    --server-address "127.0.0.1:${KWOK_PORT}"

  # ---- fake nodes ----
  log "creating fake nodes"
  fake_nodes_manifest | kc create -f - >/dev/null || fail "creating fake nodes failed" kube-apiserver
  wait_until "${TIMEOUT}" "fake nodes Ready" kwok kc wait --for=condition=Ready node --all --timeout=5s
  wait_until "${TIMEOUT}" "namespace default" kube-apiserver kc get namespace default
  wait_until "${TIMEOUT}" "ServiceAccount default/default" kube-controller-manager kc -n default get serviceaccount default

  if [[ "${SKIFF_CLUSTER_INSTALL_GATEWAY_API:-0}" == 1 ]]; then
    log "installing Gateway API ${GATEWAY_API_VERSION} standard CRDs"
    kc apply --server-side -f "${CLUSTER_DIR}/crds/gateway-api/" >/dev/null || fail "applying Gateway API CRDs failed" kube-apiserver
    local gw_crds=()
    mapfile -t gw_crds < <(kc get crd -o name | grep '\.gateway\.networking\.k8s\.io$')
    kc wait --for=condition=Established --timeout="${TIMEOUT}s" "${gw_crds[@]}" >/dev/null ||
      fail "Gateway API CRDs not Established" kube-apiserver
  fi

  local c
  for c in "${COMPONENTS_ORDER[@]}"; do
    component_pid "${c}" >/dev/null || fail "${c} exited during startup" "${c}"
  done
  kc get nodes >&2
  log "cluster up in $(($(date +%s) - start))s: https://127.0.0.1:${APISERVER_PORT}"
  log "use it with: source ${CLUSTER_DIR}/env"
}

main "$@"
