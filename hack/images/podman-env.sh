# shellcheck shell=bash
# Sourced by the image and node scripts: podman with this project's engine settings
# (hack/images/containers.conf) and the cache directory for what is safe to keep between runs.
SKIFF_CACHE="${SKIFF_CACHE:-${HOME}/.cache/skiff}"
IMAGES_HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CONTAINERS_CONF="${IMAGES_HACK_DIR}/containers.conf"
# Tags of the project's own images; always rebuilt from the working tree, never cached.
SKIFF_IMAGE_TAG="${SKIFF_IMAGE_TAG:-dev}"
RUNTIME_IMAGE="localhost/skiff-runtime:${SKIFF_IMAGE_TAG}"
OPERATOR_IMAGE="localhost/skiff-operator:${SKIFF_IMAGE_TAG}"

img_log() { printf '[images %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
img_die() { printf '[images %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }
