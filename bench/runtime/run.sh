#!/usr/bin/env bash
# Benchmarks the integration runtime against a plain Vert.x reference measured in the same run:
#  - deploy-to-serving time of a new integration (admin API and state directory; target p50 <= 300 ms),
#  - failed requests while an integration is upgraded 20 times under steady load (target 0),
#  - throughput of a minimal platform-http -> setBody integration and of the REST facade of
#    examples/two-projects.yaml, as ratios to plain Vert.x handlers doing the same.
# Tracing is off in both (no OTLP receiver here): the ratios compare routing and Camel processing.
# Usage: bench/runtime/run.sh   (from anywhere; builds the runtime under the shared build lock)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
flock /tmp/outpost-build.lock ./mvnw -B -q package -pl spec,edge,integration-runtime -DskipTests
lib="integration-runtime/target/quarkus-app/lib/main"
cp="$(ls "$lib"/*.jar | tr '\n' ':')"

read -r http mgmt reference backend < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks: s.close()')
work="$(mktemp -d)"
token="bench-admin-token-0123456789"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

OUTPOST_HOME="$work" OUTPOST_RUNTIME_ADMIN_TOKEN="$token" QUARKUS_HTTP_PORT="$http" \
  QUARKUS_MANAGEMENT_PORT="$mgmt" QUARKUS_OTEL_SDK_DISABLED=true QUARKUS_LOG_CONSOLE_LEVEL=WARN \
  java -jar integration-runtime/target/quarkus-app/quarkus-run.jar > "$work/runtime.log" 2>&1 &
pids+=($!)
java -cp "$cp" bench/runtime/PlainVertx.java "$reference" "$backend" > "$work/reference.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$mgmt/q/health/ready" >/dev/null && curl -sf "http://127.0.0.1:$reference/minimal" >/dev/null && break
  sleep 0.5
done
echo "runtime http=$http management=$mgmt, reference=$reference, backend=$backend, $(nproc) cores"
python3 bench/runtime/bench.py "$http" "$mgmt" "$reference" "$backend" "$work" "$token"
