#!/usr/bin/env bash
# `make images`: builds Dockerfile.runtime and Dockerfile.operator with podman, no registry needed.
# The FROM images are the local stand-ins of base-images.sh (cached); the project's own images are
# built from the working tree (Maven runs inside the build stage, with a cache mount for ~/.m2).
# SKIFF_IMAGES_NO_CACHE=1 (make test sets it) reuses no layer of an earlier build.
# Tags: localhost/skiff-runtime:$SKIFF_IMAGE_TAG and localhost/skiff-operator:... (default dev).
set -euo pipefail
# shellcheck source=podman-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/podman-env.sh"
cd "${IMAGES_HACK_DIR}/../.."

bash "${IMAGES_HACK_DIR}/base-images.sh"

build() {  # build <Dockerfile> <tag>
  local t0 log
  t0="$(date +%s)"
  log="$(mktemp)"
  img_log "building ${2} from ${1}"
  # Host networking: build steps reach Maven Central and Debian as the host does, and no podman
  # bridge or firewall chains are left on the host.
  if ! podman build --pull=never --network=host ${SKIFF_IMAGES_NO_CACHE:+--no-cache} -f "$1" -t "$2" . >"${log}" 2>&1; then
    tail -n 60 "${log}" >&2
    rm -f "${log}"
    img_die "podman build -f $1 failed"
  fi
  rm -f "${log}"
  img_log "built ${2} in $(($(date +%s) - t0))s ($(podman image inspect --format '{{.Size}}' "$2" | awk '{printf "%d MB", $1/1e6}'))"
}

build Dockerfile.runtime "${RUNTIME_IMAGE}"
build Dockerfile.operator "${OPERATOR_IMAGE}"
# Intermediate stages and the images these tags replaced; the base images and build cache stay.
podman image prune --force >/dev/null
