#!/usr/bin/env bash
# End to end, local, real processes: a change put into dev-control-plane's REST API -> signed
# snapshot over the WebSocket -> pdp-agent applies it to the state directory -> integration-runtime
# loads the integration and the gateway the route -> the route answers 200 through the gateway.
# Prints p50/p90 of "put -> integration file on disk" (control plane + agent) and "put -> 200 via the
# gateway" (everything). Everything runs on free ports under a throwaway $OUTPOST_HOME.
# Usage: bench/agent/e2e.sh [rounds=20]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
rounds=${1:-20}
flock /tmp/outpost-build.lock ./mvnw -B -q -pl spec,edge,dev-control-plane,pdp-agent,integration-runtime,gateway package -DskipTests

home=$(mktemp -d /tmp/outpost-e2e-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$home"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
CP=$(free_port); CPM=$(free_port); AG=$(free_port); AGM=$(free_port)
RT=$(free_port); RTM=$(free_port); GW=$(free_port); GWM=$(free_port); HZ=$(free_port)

mkdir -p "$home/secrets/outpost" "$home/state/integrations" "$home/logs"
for t in dataplane-token admin-token ingest-token; do head -c 32 /dev/urandom | base64 | tr -d '/+=\n' >"$home/secrets/outpost/$t"; done
admin=$(cat "$home/secrets/outpost/admin-token")

start() { # name jar-module http mgmt extra-args...
  local name=$1 module=$2 port=$3 mport=$4; shift 4
  (cd "$home" && OUTPOST_HOME="$home" exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dquarkus.http.port="$port" -Dquarkus.management.port="$mport" "$@" \
    -jar "$root/$module/target/quarkus-app/quarkus-run.jar" >"$home/logs/$name.log" 2>&1) &
  pids+=($!)
}
healthy() { # mgmt-port name
  for _ in $(seq 1 600); do curl -fsS -m 1 -o /dev/null "http://127.0.0.1:$1/q/health/ready" 2>/dev/null && return 0; sleep 0.1; done
  echo "$2 did not start; log:"; tail -20 "$home/logs/$2.log"; exit 1
}

start dev-control-plane dev-control-plane "$CP" "$CPM" -Doutpost.cp.idp.issuer="http://127.0.0.1:$CP/idp"
start integration-runtime integration-runtime "$RT" "$RTM"
start gateway gateway "$GW" "$GWM" -Doutpost.gateway.runtime-url="http://127.0.0.1:$RT" \
  -Doutpost.gateway.hazelcast.port="$HZ" -Doutpost.gateway.routes-poll-interval=100ms
healthy "$CPM" dev-control-plane
curl -fsS -H 'Accept: application/x-pem-file' "http://127.0.0.1:$CP/v1/public-key" >"$home/secrets/outpost/control-plane.pub"
start pdp-agent pdp-agent "$AG" "$AGM" -Doutpost.agent.control-plane.url="ws://127.0.0.1:$CP/v1/connect" \
  -Doutpost.agent.status.runtime-management="http://127.0.0.1:$RTM" \
  -Doutpost.agent.gateway-status-url="http://127.0.0.1:$GWM/outpost/routes" \
  -Doutpost.agent.audit.endpoint="http://127.0.0.1:$(free_port)"
healthy "$RTM" integration-runtime; healthy "$GWM" gateway; healthy "$AGM" pdp-agent

now_ms() { date +%s%3N; }
disk=(); served=()
for i in $(seq 1 "$rounds"); do
  name="e2e-$i"
  body=$(printf '{"integration":{"project":"bench","version":"1","source":"- route:\\n    id: %s\\n    from:\\n      uri: \\"platform-http:/%s\\"\\n      steps:\\n        - setBody:\\n            constant: ok %s\\n"},"routes":[{"id":"%s","project":"bench","match":{"pathPrefix":"/%s"},"integration":"%s","auth":{"public":true}}]}' \
    "$name" "$name" "$name" "$name" "$name" "$name")
  t0=$(now_ms)
  curl -fsS -m 10 -o /dev/null -X PUT -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    --data "$body" "http://127.0.0.1:$CP/v1/integrations/$name"
  deadline=$((t0 + 30000))
  until [ -f "$home/state/integrations/$name.json" ]; do
    [ "$(now_ms)" -lt $deadline ] || { echo "integration $name not written after 30 s"; tail -5 "$home/logs/pdp-agent.log"; exit 1; }
    sleep 0.005
  done
  t1=$(now_ms)
  until [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GW/$name")" = 200 ]; do
    [ "$(now_ms)" -lt $deadline ] || { echo "route /$name not served after 30 s"; tail -5 "$home/logs/gateway.log"; exit 1; }
    sleep 0.02
  done
  t2=$(now_ms)
  disk+=($((t1 - t0))); served+=($((t2 - t0)))
done
pct() { printf '%s\n' "$@" | sort -n | awk -v p="$P" '{a[NR]=$1} END {i=int((NR-1)*p/100+0.5)+1; print a[i]}'; }
P=50 d50=$(pct "${disk[@]}"); P=90 d90=$(pct "${disk[@]}")
P=50 s50=$(pct "${served[@]}"); P=90 s90=$(pct "${served[@]}")
echo
echo "end to end, local processes, $rounds new integrations each with its route"
echo "  put -> integration file on disk (control plane + agent):  p50 ${d50} ms  p90 ${d90} ms"
echo "  put -> 200 through the gateway (everything):              p50 ${s50} ms  p90 ${s90} ms   (target p50 <= 1000 ms)"
