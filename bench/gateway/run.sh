#!/usr/bin/env bash
# Gateway benchmarks, all in one run on this machine, each against a reference measured in the same run:
#   1. throughput: JWT route (+ non-limiting cluster rate limit, access logs, tracing) vs nginx proxying
#      the same upstream without auth (target >= 0.8x), and JWT vs public route (target >= 0.9x); beside them
#      plain vertx-http-proxy with nothing else (bench/gateway/src/PlainVertxProxy.java), the floor of the
#      building block the gateway proxies with, so the figures say what the gateway's own work costs;
#   2. p99 latency added over calling the upstream directly, at half the JWT route's maximum rate (target <= 1 ms),
#      next to what nginx as a proxy, plain vertx-http-proxy and the same JWT route on a gateway with telemetry
#      off (-Dquarkus.otel.sdk.disabled=true: no spans, no access records) add at the same rate;
#   3. rate-limit accuracy with 3 gateway members (Hazelcast) driven together past the limit (target +-5%);
#   4. failed requests while the routing table is replaced 100 times under load (target 0);
#   5. the JWT gateway's peak resident memory after all of the above and MEM_CONNS (default 512) connections
#      uploading 256 KiB and downloading 1 MiB bodies, against the chart's default memory limit.
# The upstream is nginx returning a fixed 2-byte body; an nginx location also sinks OTLP exports.
# Not part of ./mvnw verify. Usage: bench/gateway/run.sh [seconds per throughput run, default 15]
# Environment: WARMUP (seconds, default 60), ROUNDS (interleaved rounds of the throughput and of the paced runs, default 3), CONNS (default 64), MEM_CONNS,
# SKIP_BUILD=1 to reuse gateway/target/quarkus-app.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-15}
CONNS=${CONNS:-64}
MEM_CONNS=${MEM_CONNS:-512}

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk || ! need nginx; then
  apt-get install -y wrk nginx >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk nginx >/dev/null; }
fi

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "== building the gateway"
  flock /tmp/outpost-build.lock ./mvnw -B -q package -DskipTests -pl spec,edge,gateway
fi
JAR=gateway/target/quarkus-app/quarkus-run.jar

WORK=$(mktemp -d /tmp/outpost-gw-bench.XXXXXX)
chmod 755 "$WORK"   # nginx workers (an unprivileged user) read the JWKS and write temp bodies here
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
b64url() { python3 -c 'import sys,base64;print(base64.urlsafe_b64encode(sys.stdin.buffer.read()).rstrip(b"=").decode())'; }

UP=$(free_port); NGX=$(free_port); SINK=$(free_port); PLAIN=$(free_port)

echo "== signing key, JWKS and token"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/key.pem" 2>/dev/null
N=$(openssl rsa -in "$WORK/key.pem" -noout -modulus | cut -d= -f2 | xxd -r -p | b64url)
printf '{"keys":[{"kty":"RSA","kid":"bench-1","use":"sig","alg":"RS256","n":"%s","e":"AQAB"}]}' "$N" > "$WORK/jwks.json"
H=$(printf '{"alg":"RS256","kid":"bench-1","typ":"JWT"}' | b64url)
P=$(printf '{"iss":"https://bench.idp","sub":"bench-user","aud":"outpost","scope":"bench","exp":%d}' $(( $(date +%s) + 7200 )) | b64url)
SIG=$(printf '%s.%s' "$H" "$P" | openssl dgst -sha256 -sign "$WORK/key.pem" | b64url)
TOKEN="$H.$P.$SIG"

echo "== nginx: upstream :$UP, reference proxy :$NGX, OTLP sink :$SINK"
mkdir -p "$WORK/nginx"; chmod 777 "$WORK/nginx"; chmod 644 "$WORK/jwks.json"
head -c 1048576 /dev/urandom > "$WORK/big.bin"; chmod 644 "$WORK/big.bin"
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/octet-stream"\nwrk.body = string.rep("x", 262144)\n' > "$WORK/upload.lua"
cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  upstream app { server 127.0.0.1:$UP; keepalive 64; }
  server { listen 127.0.0.1:$UP; keepalive_requests 100000;
    location = /jwks.json { default_type application/json; alias $WORK/jwks.json; }
    location = /big { default_type application/octet-stream; alias $WORK/big.bin; }
    location / { default_type text/plain; return 200 "ok"; } }
  server { listen 127.0.0.1:$NGX; keepalive_requests 100000;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$remote_addr; } }
  server { listen 127.0.0.1:$SINK; client_max_body_size 64m;
    location / { default_type application/x-protobuf; return 200 ""; } }
}
NGINX
nginx -c "$WORK/nginx.conf" -p "$WORK/nginx"

routes() { # $1 revision, $2 extra routes (JSON fragments, may be empty)
  cat > "$WORK/home/state/routes.tmp" <<JSON
{"revision": $1,
 "identityProviders": [{"name": "bench", "issuer": "https://bench.idp", "jwksUri": "http://127.0.0.1:$UP/jwks.json",
   "audiences": ["outpost"], "algorithms": ["RS256"], "clockSkewSeconds": 30}],
 "routes": [
  {"id": "jwt", "project": "bench", "match": {"pathPrefix": "/jwt"}, "integration": "bench-app", "stripPrefix": true,
   "auth": {"jwt": {"identityProviders": ["bench"], "scopes": ["bench"]}},
   "rateLimit": {"requests": 1000000000, "periodSeconds": 1, "key": "subject"}},
  {"id": "pub", "project": "bench", "match": {"pathPrefix": "/pub"}, "integration": "bench-app", "stripPrefix": true,
   "auth": {"public": true}},
  {"id": "limited", "project": "bench", "match": {"pathPrefix": "/limited"}, "integration": "bench-app", "stripPrefix": true,
   "auth": {"jwt": {"identityProviders": ["bench"]}},
   "rateLimit": {"requests": $LIMIT, "periodSeconds": $LIMIT_PERIOD, "key": "subject"}}$2
 ]}
JSON
  mv "$WORK/home/state/routes.tmp" "$WORK/home/state/routes.json"
}
LIMIT=3000; LIMIT_PERIOD=60
mkdir -p "$WORK/home/state"
routes 1 ""

# the JVM options the chart gives a gateway pod (gateway.javaOpts) at its default memory limit, 768Mi:
# ParallelGC, the heap fixed at 62.5% of the limit, half of it young generation (helm GatewayJvmOptionsTest
# fails when the two differ)
JVM_OPTS="-XX:+UseParallelGC -Xms480m -Xmx480m -XX:NewRatio=1"
HZ=($(free_port) $(free_port) $(free_port) $(free_port)); HTTP=($(free_port) $(free_port) $(free_port) $(free_port))
MGMT=($(free_port) $(free_port) $(free_port) $(free_port))
MEMBERS="127.0.0.1:${HZ[0]},127.0.0.1:${HZ[1]},127.0.0.1:${HZ[2]}"
start_gateway() { # $1 index, $2 extra JVM options (optional; a later -D wins)
  java $JVM_OPTS \
    -Doutpost.gateway.home="$WORK/home" -Doutpost.gateway.runtime-url="http://127.0.0.1:$UP" \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.management.host=127.0.0.1 -Dquarkus.http.port="${HTTP[$1]}" -Dquarkus.management.port="${MGMT[$1]}" \
    -Doutpost.gateway.hazelcast.port="${HZ[$1]}" -Doutpost.gateway.hazelcast.members="$MEMBERS" \
    -Doutpost.gateway.routes-poll-interval=100ms \
    -Dquarkus.otel.exporter.otlp.endpoint="http://127.0.0.1:$SINK" \
    ${2:-} -jar "$JAR" > "$WORK/gateway-$1.log" 2>&1 &
  PIDS+=($!)
}
await_ready() { # $1 management port
  for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$1/outpost/routes" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "gateway on management port $1 did not start"; exit 1
}
echo "== plain vertx-http-proxy :$PLAIN (second reference)"
java $JVM_OPTS -cp "gateway/target/quarkus-app/lib/main/*" bench/gateway/src/PlainVertxProxy.java \
  "$PLAIN" "$UP" > "$WORK/plain.log" 2>&1 &
PIDS+=($!); PLAIN_PID=$!
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$PLAIN/x" >/dev/null 2>&1 && break; sleep 0.5; done

echo "== starting gateway 0"
start_gateway 0
GW_PID=$!
await_ready "${MGMT[0]}"
GW="http://127.0.0.1:${HTTP[0]}"
curl -fs -H "Authorization: Bearer $TOKEN" "$GW/jwt/x" >/dev/null || { echo "JWT route does not answer 200"; cat "$WORK/gateway-0.log" | tail -20; exit 1; }

echo "== starting a gateway with telemetry off (what spans and access records cost), in a cluster of its own"
start_gateway 3 "-Dquarkus.otel.sdk.disabled=true -Doutpost.gateway.hazelcast.members=127.0.0.1:${HZ[3]}"
NOTEL_PID=$!
await_ready "${MGMT[3]}"
NOTEL="http://127.0.0.1:${HTTP[3]}"

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
p99() { awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v); print v} else if (v ~ /s$/) {sub(/s/,"",v); print v*1000}}' "$1"; }
errors() { awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(/,/,""); n+=$4+$6+$8+$10} END {print n+0}' "$1"; }
run_wrk() { # $1 name, $2 url, $3.. extra wrk args
  local name=$1 url=$2; shift 2
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$@" "$url" > "$WORK/$name.txt"
}

echo "== warm-up (${WARMUP:-60}s: the JIT compiles the hot path on 2 busy cores)"
wrk -t2 -c"$CONNS" -d"${WARMUP:-60}s" -H "Authorization: Bearer $TOKEN" "$GW/jwt/x" >/dev/null
wrk -t2 -c"$CONNS" -d"${WARMUP:-60}s" -H "Authorization: Bearer $TOKEN" "$NOTEL/jwt/x" >/dev/null
wrk -t2 -c"$CONNS" -d10s "$GW/pub/x" >/dev/null
wrk -t2 -c"$CONNS" -d5s "http://127.0.0.1:$NGX/x" >/dev/null
wrk -t2 -c"$CONNS" -d20s "http://127.0.0.1:$PLAIN/x" >/dev/null

# the machine's speed drifts by tens of percent within a minute, so the three are interleaved over
# ROUNDS rounds and each figure is the median of its rounds
ROUNDS=${ROUNDS:-3}
echo "== throughput ($ROUNDS interleaved rounds of ${DURATION}s each, $CONNS connections)"
for r in $(seq 1 "$ROUNDS"); do
  run_wrk "nginx-$r" "http://127.0.0.1:$NGX/x"
  run_wrk "plain-$r" "http://127.0.0.1:$PLAIN/x"
  run_wrk "public-$r" "$GW/pub/x"
  run_wrk "jwt-$r" "$GW/jwt/x" -H "Authorization: Bearer $TOKEN"
  run_wrk "notel-$r" "$NOTEL/jwt/x" -H "Authorization: Bearer $TOKEN"
done
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
median_rps() { for r in $(seq 1 "$ROUNDS"); do rps "$WORK/$1-$r.txt"; done | median; }
R_NGX=$(median_rps nginx); R_PLAIN=$(median_rps plain); R_PUB=$(median_rps public); R_JWT=$(median_rps jwt)
R_NOTEL=$(median_rps notel)

# one paced run of each reads its p99 and the CPU per request 10-30% apart from the next on this
# machine, so the paced runs are interleaved over the same ROUNDS and each figure is a median too
echo "== latency and CPU per request at half the JWT route's maximum rate ($ROUNDS interleaved rounds)"
HALF=$(python3 -c "print(int($R_JWT/2))")
DELAY=$(python3 -c "print(max(1, int($CONNS*1000/$HALF)))")
cat > "$WORK/pace.lua" <<LUA
function delay() return $DELAY end
LUA
# the process's own CPU time over a paced run, per request: unlike req/s it hardly moves with the machine's load
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
paced() { # $1 pid whose CPU is counted, $2 run name, $3.. run_wrk's url and args; writes $2.cpu (us per request)
  local pid=$1 name=$2; shift 2
  local before after
  before=$(cpu_ticks "$pid"); run_wrk "$name" "$@" -s "$WORK/pace.lua"; after=$(cpu_ticks "$pid")
  python3 -c "print(round(($after - $before) * 1e6 / $(getconf CLK_TCK) / $(awk '/requests in/ {print $1}' "$WORK/$name.txt"), 1))" > "$WORK/$name.cpu"
}
for r in $(seq 1 "$ROUNDS"); do
  run_wrk "direct-half-$r" "http://127.0.0.1:$UP/x" -s "$WORK/pace.lua"
  run_wrk "nginx-half-$r" "http://127.0.0.1:$NGX/x" -s "$WORK/pace.lua"
  paced "$PLAIN_PID" "plain-half-$r" "http://127.0.0.1:$PLAIN/x"
  paced "$GW_PID" "jwt-half-$r" "$GW/jwt/x" -H "Authorization: Bearer $TOKEN"
  paced "$GW_PID" "public-half-$r" "$GW/pub/x"
  paced "$NOTEL_PID" "notel-half-$r" "$NOTEL/jwt/x" -H "Authorization: Bearer $TOKEN"
done
kill "$NOTEL_PID"; wait "$NOTEL_PID" 2>/dev/null || true
median_p99() { for r in $(seq 1 "$ROUNDS"); do p99 "$WORK/$1-half-$r.txt"; done | median; }
median_cpu() { for r in $(seq 1 "$ROUNDS"); do cat "$WORK/$1-half-$r.cpu"; done | median; }
P99_DIRECT=$(median_p99 direct); P99_NGX=$(median_p99 nginx); P99_JWT=$(median_p99 jwt)
P99_PLAIN=$(median_p99 plain); P99_NOTEL=$(median_p99 notel)
CPU_PER_REQUEST=$(median_cpu jwt); CPU_PER_PUBLIC=$(median_cpu public); CPU_PER_NOTEL=$(median_cpu notel)
CPU_PER_PLAIN=$(median_cpu plain)

# an error answers fast and would pass for speed: every throughput and paced run must be all 2xx
FAILED_RUNS=""
for f in "$WORK"/{nginx,plain,public,jwt,notel}-[0-9]*.txt "$WORK"/*-half-*.txt; do
  n=$(errors "$f"); [ "$n" -eq 0 ] || FAILED_RUNS="$FAILED_RUNS $(basename "$f" .txt):$n"
done

echo "== failed requests during 100 route reloads under load"
wrk -t2 -c"$CONNS" -d30s "$GW/pub/x" > "$WORK/reload.txt" &
WRK_PID=$!
sleep 1
for i in $(seq 2 101); do
  routes "$i" ",{\"id\": \"extra-$i\", \"project\": \"bench\", \"match\": {\"pathPrefix\": \"/extra-$i\"}, \"integration\": \"bench-app\", \"auth\": {\"public\": true}}"
  sleep 0.2
done
APPLIED=$(curl -fs "http://127.0.0.1:${MGMT[0]}/outpost/routes")
wait $WRK_PID
RELOAD_ERRORS=$(errors "$WORK/reload.txt"); RELOAD_TOTAL=$(awk '/requests in/ {print $1}' "$WORK/reload.txt")

echo "== resident memory of gateway 0 under large bodies: $MEM_CONNS connections uploading 256 KiB, then downloading 1 MiB"
wrk -t2 -c"$MEM_CONNS" -d15s -s "$WORK/upload.lua" "$GW/pub/x" > "$WORK/memory-upload.txt"
wrk -t2 -c"$MEM_CONNS" -d15s "$GW/pub/big" > "$WORK/memory-download.txt"
# the chart's default limit is 768Mi; past it the kernel kills the pod
PEAK_RSS_MIB=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$GW_PID/status")
MEM_ERRORS=$(( $(errors "$WORK/memory-upload.txt") + $(errors "$WORK/memory-download.txt") ))

echo "== rate-limit accuracy: 3 members, limit $LIMIT per ${LIMIT_PERIOD}s per subject, driven past it on all three"
start_gateway 1; start_gateway 2
await_ready "${MGMT[1]}"; await_ready "${MGMT[2]}"
sleep 3
# start right after a window boundary and stay inside that one window
NOW=$(date +%s); sleep $(( LIMIT_PERIOD - NOW % LIMIT_PERIOD )); sleep 0.5
WRKS=()
for i in 0 1 2; do
  wrk -t1 -c16 -d20s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:${HTTP[$i]}/limited/x" > "$WORK/limited-$i.txt" &
  WRKS+=($!)
done
wait "${WRKS[@]}"
ADMITTED=0; REFUSED=0
for i in 0 1 2; do
  total=$(awk '/requests in/ {print $1}' "$WORK/limited-$i.txt"); non2xx=$(awk '/Non-2xx/ {print $NF}' "$WORK/limited-$i.txt")
  ADMITTED=$(( ADMITTED + total - ${non2xx:-0} )); REFUSED=$(( REFUSED + ${non2xx:-0} ))
done

echo
echo "================ results ================"
echo "(every figure but the last three: median of $ROUNDS interleaved rounds)"
printf "throughput, nginx proxy (reference)    : %10.0f req/s\n" "$R_NGX"
printf "throughput, plain vertx-http-proxy       : %10.0f req/s   (the building block alone)\n" "$R_PLAIN"
printf "throughput, gateway public route        : %10.0f req/s\n" "$R_PUB"
printf "throughput, gateway JWT+RL+logs+traces  : %10.0f req/s\n" "$R_JWT"
printf "throughput, same, telemetry off         : %10.0f req/s   (no spans, no access records)\n" "$R_NOTEL"
APPLIED="$APPLIED" python3 - <<PY
ngx, pub, jwt = $R_NGX, $R_PUB, $R_JWT
print(f"JWT route / nginx                       : {jwt/ngx:10.2f} x   (target >= 0.8)")
print(f"JWT route / public route                : {jwt/pub:10.2f} x   (target >= 0.9)")
print(f"plain vertx-http-proxy / nginx          : {$R_PLAIN/ngx:10.2f} x   (the ceiling for a gateway built on it)")
d, n, g = $P99_DIRECT, $P99_NGX, $P99_JWT
print(f"p99 at {$HALF} req/s, upstream direct    : {d:10.3f} ms")
print(f"p99 at {$HALF} req/s, via nginx proxy    : {n:10.3f} ms   (reference: what a proxy hop costs here)")
print(f"p99 at {$HALF} req/s, via JWT route      : {g:10.3f} ms")
print(f"p99 added by nginx as a proxy           : {n-d:10.3f} ms")
print(f"p99 added by plain vertx-http-proxy     : {$P99_PLAIN-d:10.3f} ms   (the floor of the building block)")
print(f"p99 added by the gateway                : {g-d:10.3f} ms   (target <= 1)")
print(f"p99 added, same route, telemetry off    : {$P99_NOTEL-d:10.3f} ms   (no spans, no access records)")
print(f"CPU per request at that rate, JWT route   : {$CPU_PER_REQUEST:10.1f} us")
print(f"CPU per request at that rate, public     : {$CPU_PER_PUBLIC:10.1f} us")
print(f"CPU per request at that rate, JWT, no telemetry: {$CPU_PER_NOTEL:10.1f} us")
print(f"CPU per request at that rate, plain proxy: {$CPU_PER_PLAIN:10.1f} us")
adm, lim = $ADMITTED, $LIMIT
print(f"rate limit, 3 members: admitted         : {adm:10d} of {lim} ({(adm-lim)/lim*100:+.1f}%, {$REFUSED} refused; target +-5%)")
print(f"peak resident memory, gateway 0     : {$PEAK_RSS_MIB:10d} MiB of the chart's 768 MiB limit ({$MEM_ERRORS} failed large-body requests)")
import os
print(f"route reloads: status after the last     : {os.environ['APPLIED']}")
print(f"route reloads: failed requests          : {$RELOAD_ERRORS:10d} of {$RELOAD_TOTAL} (target 0)")
PY
echo "failed requests, throughput and latency runs: ${FAILED_RUNS:- none}"
echo "raw wrk outputs: $WORK"
trap - EXIT
cleanup
if [ -n "$FAILED_RUNS" ]; then
  echo "the throughput and latency figures above are invalid: runs had non-2xx answers or socket errors"
  exit 1
fi
