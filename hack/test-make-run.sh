#!/usr/bin/env bash
# `make test` step for the README's first command: `make run` serves the example models on the
# loopback interface only (a laptop demo must not listen on every interface), prints no warnings
# at start-up, and every log line has the one format of runtime/src/main/resources/logging.properties.
# The router (route mode, the same jar and JVM flags) in front of it logs in that format too.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/ready-url.sh
source hack/lib/ready-url.sh

work="$(mktemp -d)"
pgid=""
router=""
cleanup() {
  [[ -n $router ]] && kill "$router" 2>/dev/null
  [[ -n $pgid ]] && kill -- "-$pgid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Its own process group, so that make and the JVM it started stop together.
setsid make --no-print-directory run PORT=0 >"$work/out.log" 2>&1 &
pgid=$!
url="$(ready_url "$work/out.log" "$pgid")" || { echo "test-make-run: FAIL the server did not start" >&2; exit 1; }
port="${url##*:}"
status=0

# The listening socket, from the kernel's table: 127.0.0.1 (on a dual-stack socket, its IPv4-mapped
# form), not 0.0.0.0, * or ::.
listen="$(ss -Hltn "sport = :$port" | awk '{print $4}')"
if [[ $listen != "127.0.0.1:$port" && $listen != "[::ffff:127.0.0.1]:$port" ]]; then
  echo "test-make-run: FAIL make run listens on '$listen', expected 127.0.0.1:$port" >&2; status=1
fi
if ! curl -sf -o /dev/null "http://127.0.0.1:$port/v2/health/live"; then
  echo "test-make-run: FAIL no answer on 127.0.0.1:$port" >&2; status=1
fi

# Wait for every example model, so that the start-up lines of all backends are in the log.
for _ in $(seq 300); do
  grep -q "model 'shapes' version 'v1' ready" "$work/out.log" && break
  sleep 0.2
done

# What make itself echoes (the recipe) and the server's one stdout line are not log records.
log_format='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} (SEVERE|WARNING|INFO|CONFIG|FINE|FINER|FINEST) [A-Za-z0-9_.$]+ - '
others="$(grep -v -E "$log_format" "$work/out.log" \
  | grep -v -E '^Skiff runtime listening on |^\./mvnw |^"[^"]*/bin/java" |^  -jar |^bash hack/aot-cache.sh |^aot-cache: ' || true)"
if [[ -n $others ]]; then
  echo "test-make-run: FAIL lines outside the log format:" >&2; echo "$others" >&2; status=1
fi
warnings="$(grep -E "$log_format" "$work/out.log" | grep -E ' (WARNING|SEVERE) ' || true)"
if [[ -n $warnings ]]; then
  echo "test-make-run: FAIL warnings at start-up:" >&2; echo "$warnings" >&2; status=1
fi

# route mode in front of it, started as the image starts it (jvm.options, the jar), until it has
# checked the backend and forwarded one request.
printf 'model: iris\nversions:\n  - {name: v1, url: "http://127.0.0.1:%s", weight: 100}\n' "$port" >"$work/router.yaml"
"${JAVA_HOME:-$(hack/java-home.sh)}/bin/java" @runtime/jvm.options -jar runtime/target/skiff-runtime.jar \
  route --config "$work/router.yaml" --host 127.0.0.1 --port 0 --grpc-port 0 >"$work/route.log" 2>&1 &
router=$!
router_url=""
for _ in $(seq 300); do
  router_url="$(sed -n 's|^Skiff router listening on \(http://localhost:[0-9]*\).*|\1|p' "$work/route.log")"
  [[ -n $router_url ]] && curl -sf -o /dev/null "$router_url/v2/models/iris" && break
  router_url=""
  sleep 0.2
done
if [[ -z $router_url ]]; then
  echo "test-make-run: FAIL the router did not forward a request:" >&2; cat "$work/route.log" >&2; status=1
fi
others="$(grep -v -E "$log_format" "$work/route.log" | grep -v -E '^Skiff router listening on ' || true)"
if [[ -n $others ]]; then
  echo "test-make-run: FAIL router lines outside the log format:" >&2; echo "$others" >&2; status=1
fi
[[ $status -eq 0 ]] && echo "test-make-run: ok (listens on 127.0.0.1:$port only, no warnings, one log format; the router's too)"
exit $status
