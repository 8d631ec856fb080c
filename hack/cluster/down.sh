#!/usr/bin/env bash
# Stops the local test cluster started by hack/cluster/up.sh (each process by its own PID: TERM, then KILL
# after a timeout) and removes the runtime state in .cluster/. Idempotent: does nothing if nothing runs.
set -euo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [[ ! -d "${CLUSTER_DIR}" ]]; then
  log "no cluster state in ${CLUSTER_DIR}; nothing to do"
  exit 0
fi
bash "${CLUSTER_HACK_DIR}/node-down.sh"
stop_all
rm -rf "${CLUSTER_DIR}"
log "cluster stopped, ${CLUSTER_DIR} removed"
