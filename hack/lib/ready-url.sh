# Sourced by the hack/ scripts that start the runtime with --port 0.
#
#   url="$(ready_url <log> <pid>)"
#
# Waits (up to 120 s) until the runtime whose output goes to <log> prints its address and answers
# /v2/health/ready, then prints its base URL. Returns 1, with the log on stderr, when the process
# exits first or is not ready in time.
ready_url() {
  local log="$1" pid="$2" url
  for _ in $(seq 600); do
    url="$(sed -n 's|^Skiff runtime listening on \(http://localhost:[0-9]*\).*|\1|p' "$log")"
    if [[ -n $url ]] && curl -sf -o /dev/null "$url/v2/health/ready"; then
      echo "$url"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$log" >&2
      echo "the runtime exited before it was ready" >&2
      return 1
    fi
    sleep 0.2
  done
  cat "$log" >&2
  echo "the runtime was not ready within 120 s" >&2
  return 1
}
