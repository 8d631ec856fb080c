#!/usr/bin/env bash
# Builds the test-cluster binaries from published Go modules into a cache outside the repo:
#   ${SKIFF_CACHE:-$HOME/.cache/skiff}/k8s/<k8s version>/bin/
#     kube-apiserver kube-controller-manager kube-scheduler kubectl  (k8s.io/kubernetes via a wrapper module)
#     etcd                                                         (go.etcd.io/etcd/server/v3 via a wrapper module)
#     kube-proxy kubelet                                           (same wrapper module; the real node)
#     kwok helm                                                    (go install <module>@<version>)
#     coredns                                                      (github.com/coredns/coredns via a wrapper module)
#     pause                                                        (gcc -static build/pause/linux/pause.c)
#   .../kwok-stages/        kwok stage YAMLs (node fast, node heartbeat-with-lease, pod fast)
#   .../gateway-api-crds/   Gateway API standard CRDs (config/crd/standard/*.yaml)
# Idempotent: each component has a stamp file; a warm run only compares stamps.
set -euo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

WRAPPER_DIR="${CLUSTER_HACK_DIR}/wrapper"
SRC_DIR="${CACHE_DIR}/src"

command -v go >/dev/null || die "go is not on PATH (need Go >= the go directive of k8s.io/kubernetes ${K8S_VERSION})"

# Hash of the wrapper sources of a component, so editing a main.go/go.mod.tmpl triggers a rebuild.
src_hash() {
  (cd "${WRAPPER_DIR}/$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}

stamp_k8s() { echo "k8s.io/kubernetes@${K8S_VERSION} staging=${K8S_STAGING_VERSION} src=$(src_hash k8s)"; }
stamp_k8s_node() { echo "k8s.io/kubernetes@${K8S_VERSION} staging=${K8S_STAGING_VERSION} src=$(src_hash k8s-node)"; }
stamp_etcd() { echo "go.etcd.io/etcd/server/v3@${ETCD_VERSION} src=$(src_hash etcd)"; }
stamp_kwok() { echo "sigs.k8s.io/kwok@${KWOK_VERSION}"; }
stamp_helm() { echo "helm.sh/helm/v3@${HELM_VERSION} kube=${K8S_VERSION}"; }
stamp_coredns() { echo "github.com/coredns/coredns@${COREDNS_VERSION} src=$(src_hash coredns)"; }
stamp_pause() { echo "k8s.io/kubernetes@${K8S_VERSION} build/pause ${PAUSE_VERSION}"; }
stamp_kwok_stages() { echo "sigs.k8s.io/kwok@${KWOK_VERSION}"; }
stamp_gateway_crds() { echo "sigs.k8s.io/gateway-api@${GATEWAY_API_VERSION}"; }

COMPONENTS=(kwok_stages gateway_crds etcd kwok helm k8s k8s_node coredns pause)

stamp_file() { echo "${CACHE_DIR}/.stamp-$1"; }

component_ok() {
  local c="$1" f
  case "${c}" in
    k8s) for f in "${K8S_BINARIES[@]}"; do [[ -x "${CACHE_BIN}/${f}" ]] || return 1; done ;;
    k8s_node) for f in "${K8S_NODE_BINARIES[@]}"; do [[ -x "${CACHE_BIN}/${f}" ]] || return 1; done ;;
    etcd | kwok | helm | coredns | pause) [[ -x "${CACHE_BIN}/${c}" ]] || return 1 ;;
    kwok_stages) [[ -s "${CACHE_KWOK_STAGES}/pod-ready.yaml" ]] || return 1 ;;
    gateway_crds) [[ -s "${CACHE_GATEWAY_CRDS}/gateway.networking.k8s.io_httproutes.yaml" ]] || return 1 ;;
  esac
  [[ -f "$(stamp_file "${c}")" && "$(cat "$(stamp_file "${c}")")" == "$("stamp_${c}")" ]]
}

write_stamp() { "stamp_$1" >"$(stamp_file "$1")"; }

# Directory of a module in the module cache (downloads it if needed).
module_dir() {
  local json dir
  json="$(go mod download -json "$1")" || die "go mod download $1 failed: ${json:-}"
  dir="$(sed -nE 's/^[[:space:]]*"Dir": "(.*)",?$/\1/p' <<<"${json}")"
  [[ -n "${dir}" && -d "${dir}" ]] || die "module $1 has no Dir: ${json}"
  echo "${dir}"
}

# Renders a go.mod template: @GO_DIRECTIVE@ gets the go/godebug lines of the given upstream go.mod.
render_gomod() {
  local tmpl="$1" upstream_gomod="$2" out="$3" replaces="${4:-}" text go_lines
  go_lines="$(grep -E '^(go|godebug) ' "${upstream_gomod}")"
  text="$(grep -v '^//' "${tmpl}")"
  text="${text//@GO_DIRECTIVE@/${go_lines}}"
  text="${text//@K8S_VERSION@/${K8S_VERSION}}"
  text="${text//@ETCD_VERSION@/${ETCD_VERSION}}"
  text="${text//@COREDNS_VERSION@/${COREDNS_VERSION}}"
  text="${text//@REPLACES@/${replaces}}"
  printf '%s\n' "${text}" >"${out}"
}

build_k8s() { build_k8s_wrapper k8s k8s "${K8S_BINARIES[@]}"; }
build_k8s_node() { build_k8s_wrapper k8s_node k8s-node "${K8S_NODE_BINARIES[@]}"; }

# build_k8s_wrapper <component> <wrapper dir> <binaries...>: one go build of a wrapper module that
# requires k8s.io/kubernetes with its staging modules replaced by the published ones.
build_k8s_wrapper() {
  local component="$1" wrapper="$2" kdir src replaces staging required missing ldflags pkg build_date
  shift 2
  local binaries=("$@")
  log "k8s: resolving k8s.io/kubernetes@${K8S_VERSION}"
  kdir="$(module_dir "k8s.io/kubernetes@${K8S_VERSION}")"

  # Every staging module is replaced with "./staging/src/k8s.io/<name>" upstream; point each at the published v0.x.y.
  staging="$(sed -nE 's#^[[:space:]]*(k8s\.io/[^[:space:]]+)[[:space:]]+=>[[:space:]]+\./staging/.*#\1#p' "${kdir}/go.mod" | LC_ALL=C sort -u)"
  [[ -n "${staging}" ]] || die "no staging replace lines found in ${kdir}/go.mod"
  # Sanity check: every k8s.io module required at v0.0.0 must be covered.
  required="$(sed -nE 's#^[[:space:]]*(k8s\.io/[^[:space:]]+)[[:space:]]+v0\.0\.0([[:space:]].*)?$#\1#p' "${kdir}/go.mod" | LC_ALL=C sort -u)"
  missing="$(LC_ALL=C comm -23 <(echo "${required}") <(echo "${staging}"))"
  [[ -z "${missing}" ]] || die "modules required at v0.0.0 without a staging replace: ${missing}"
  replaces="$(while read -r m; do printf '\t%s => %s %s\n' "${m}" "${m}" "${K8S_STAGING_VERSION}"; done <<<"${staging}")"
  log "k8s: $(wc -l <<<"${staging}") staging modules -> ${K8S_STAGING_VERSION}"

  src="${SRC_DIR}/${wrapper}"
  rm -rf "${src}"
  mkdir -p "${src}"
  cp -r "${WRAPPER_DIR}/${wrapper}/cmd" "${src}/"
  render_gomod "${WRAPPER_DIR}/${wrapper}/go.mod.tmpl" "${kdir}/go.mod" "${src}/go.mod" "${replaces}"

  log "k8s: go mod tidy (downloads modules on a cold cache)"
  (cd "${src}" && go mod tidy)

  build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  local major minor
  major="$(cut -d. -f1 <<<"${K8S_VERSION#v}")"
  minor="$(cut -d. -f2 <<<"${K8S_VERSION#v}")"
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=${major} -X ${pkg}.gitMinor=${minor}"
    ldflags+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=${build_date}"
  done

  log "${component}: go build ${binaries[*]} (cold: 15-35 min on 2 cores)"
  rm -rf "${src}/out"
  mkdir -p "${src}/out"
  local pkgs=() b
  for b in "${binaries[@]}"; do pkgs+=("./cmd/${b}"); done
  (cd "${src}" && go build -trimpath -ldflags "${ldflags}" -o "${src}/out/" "${pkgs[@]}")
  for b in "${binaries[@]}"; do mv -f "${src}/out/${b}" "${CACHE_BIN}/${b}"; done
  write_stamp "${component}"
  log "k8s: $("${CACHE_BIN}/kubectl" version --client 2>/dev/null | head -1)"
}

build_etcd() {
  local edir src
  log "etcd: resolving go.etcd.io/etcd/server/v3@${ETCD_VERSION}"
  edir="$(module_dir "go.etcd.io/etcd/server/v3@${ETCD_VERSION}")"
  src="${SRC_DIR}/etcd"
  rm -rf "${src}"
  mkdir -p "${src}"
  cp "${WRAPPER_DIR}/etcd/main.go" "${src}/"
  render_gomod "${WRAPPER_DIR}/etcd/go.mod.tmpl" "${edir}/go.mod" "${src}/go.mod"
  log "etcd: go mod tidy + go build"
  (cd "${src}" && go mod tidy && go build -trimpath -ldflags "-s -w" -o "${src}/etcd" .)
  mv -f "${src}/etcd" "${CACHE_BIN}/etcd"
  write_stamp etcd
  log "etcd: $("${CACHE_BIN}/etcd" --version 2>/dev/null | head -1)"
}

build_coredns() {
  local cdir src
  log "coredns: resolving github.com/coredns/coredns@${COREDNS_VERSION}"
  cdir="$(module_dir "github.com/coredns/coredns@${COREDNS_VERSION}")"
  src="${SRC_DIR}/coredns"
  rm -rf "${src}"
  mkdir -p "${src}"
  cp "${WRAPPER_DIR}/coredns/main.go" "${src}/"
  render_gomod "${WRAPPER_DIR}/coredns/go.mod.tmpl" "${cdir}/go.mod" "${src}/go.mod"
  log "coredns: go mod tidy + go build"
  (cd "${src}" && go mod tidy && go build -trimpath -ldflags "-s -w" -o "${src}/coredns" .)
  mv -f "${src}/coredns" "${CACHE_BIN}/coredns"
  write_stamp coredns
  log "coredns: $("${CACHE_BIN}/coredns" -version 2>/dev/null | head -1)"
}

# The pod sandbox ("pause") binary: no registry serves registry.k8s.io/pause here, so node-up.sh
# wraps this static binary in a FROM-scratch image for containerd.
build_pause() {
  local kdir
  command -v gcc >/dev/null || die "gcc is required to build the pause binary (Debian: gcc libc6-dev)"
  kdir="$(module_dir "k8s.io/kubernetes@${K8S_VERSION}")"
  gcc -Os -static -DVERSION="v${PAUSE_VERSION}-skiff" -o "${CACHE_BIN}/pause.tmp" "${kdir}/build/pause/linux/pause.c"
  mv -f "${CACHE_BIN}/pause.tmp" "${CACHE_BIN}/pause"
  write_stamp pause
}

# go install <pkg>@<version> into a temp GOBIN, then move into the cache.
go_install() {
  local name="$1" target="$2" ldflags="$3" tmp
  tmp="$(mktemp -d "${CACHE_DIR}/gobin.XXXXXX")"
  GOBIN="${tmp}" go install -trimpath -ldflags "${ldflags}" "${target}"
  mv -f "${tmp}/${name}" "${CACHE_BIN}/${name}"
  rm -rf "${tmp}"
}

build_kwok() {
  log "kwok: go install sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}"
  go_install kwok "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}" \
    "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${K8S_VERSION#v}"
  write_stamp kwok
}

build_helm() {
  local major minor ldflags
  major="$(cut -d. -f1 <<<"${K8S_VERSION#v}")"
  minor="$(cut -d. -f2 <<<"${K8S_VERSION#v}")"
  # Default capabilities (helm template/lint without a cluster) = the cluster's Kubernetes version.
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
  ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  ldflags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=${major} -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${minor}"
  ldflags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=${major} -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=${minor}"
  log "helm: go install helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
  go_install helm "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" "${ldflags}"
  write_stamp helm
}

build_kwok_stages() {
  local kdir f tmp
  kdir="$(module_dir "sigs.k8s.io/kwok@${KWOK_VERSION}")"
  tmp="$(mktemp -d "${CACHE_DIR}/stages.XXXXXX")"
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    [[ -f "${kdir}/kustomize/stage/${f}" ]] || die "kwok stage ${f} not found in ${kdir}/kustomize/stage"
    install -m 0644 "${kdir}/kustomize/stage/${f}" "${tmp}/$(basename "${f}")"
  done
  rm -rf "${CACHE_KWOK_STAGES}"
  mv "${tmp}" "${CACHE_KWOK_STAGES}"
  write_stamp kwok_stages
  log "kwok stages: $(cd "${CACHE_KWOK_STAGES}" && echo ./*.yaml)"
}

build_gateway_crds() {
  local gdir tmp
  log "gateway-api: resolving sigs.k8s.io/gateway-api@${GATEWAY_API_VERSION}"
  gdir="$(module_dir "sigs.k8s.io/gateway-api@${GATEWAY_API_VERSION}")"
  compgen -G "${gdir}/config/crd/standard/*.yaml" >/dev/null || die "no ${gdir}/config/crd/standard/*.yaml"
  tmp="$(mktemp -d "${CACHE_DIR}/crds.XXXXXX")"
  install -m 0644 "${gdir}"/config/crd/standard/*.yaml "${tmp}/"
  rm -rf "${CACHE_GATEWAY_CRDS}"
  mv "${tmp}" "${CACHE_GATEWAY_CRDS}"
  write_stamp gateway_crds
  log "gateway-api: $(find "${CACHE_GATEWAY_CRDS}" -name '*.yaml' | wc -l) files"
}

all_ok() {
  local c
  for c in "${COMPONENTS[@]}"; do component_ok "${c}" || return 1; done
}

main() {
  mkdir -p "${CACHE_BIN}"
  if all_ok; then
    log "build: cache hit, all binaries up to date in ${CACHE_BIN}"
    return 0
  fi
  # Serialise concurrent builds (e.g. make cluster-up and .ci/run at once).
  exec 9>"${CACHE_DIR}/.build.lock"
  if ! flock -n 9; then
    log "build: another build holds ${CACHE_DIR}/.build.lock, waiting"
    flock 9
  fi
  local start c t0 total=0
  start="$(date +%s)"
  log "build: cache miss in ${CACHE_DIR} ($(go version | cut -d' ' -f3), GOMODCACHE=$(go env GOMODCACHE), GOCACHE=$(go env GOCACHE))"
  for c in "${COMPONENTS[@]}"; do
    if component_ok "${c}"; then
      log "${c}: up to date"
      continue
    fi
    t0="$(date +%s)"
    "build_${c}"
    log "${c}: done in $(($(date +%s) - t0))s"
  done
  total=$(($(date +%s) - start))
  log "build: all binaries ready in ${CACHE_BIN} (${total}s)"
  ls -l "${CACHE_BIN}" >&2
}

main "$@"
