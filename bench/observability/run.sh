#!/usr/bin/env bash
# Benchmarks observability-api on this machine: OTLP/HTTP protobuf log ingest with durable acks
# (against raw Lucene IndexWriter indexing the same records one document each, measured in the same
# run; the store indexes them in blocks of up to 1024; both measured warm, after an unmeasured first
# pass, and the application's warm-up rate printed too), then query
# latencies and heap at the loaded size. Not part of `mvnw verify`.
#
#   bench/observability/run.sh                 # 10,000,000 records
#   RECORDS=2000000 bench/observability/run.sh # a smaller load
#   SKIP_BUILD=1 bench/observability/run.sh    # reuse observability-api/target/quarkus-app
#   WARMUP_RECORDS=1000000                     # the first records ingested, not measured (the JIT, as for
#                                              # the reference); stored all the same (at most half of RECORDS)
#   QUERY_WARMUP_SECONDS=15                    # unmeasured queries of each kind first (the JIT)
#   HOLD_SECONDS=600                           # keep the loaded application up for diagnosis
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${SKIP_BUILD:-}" ]; then
  flock /tmp/outpost-build.lock ./mvnw -B -q package -pl spec,edge,observability-api -DskipTests
fi
APP=observability-api/target/quarkus-app
OUT=bench/observability/target
mkdir -p "$OUT"
CP="$APP/lib/main/*"
javac -d "$OUT/classes" -cp "$CP" bench/observability/src/ObservabilityBench.java
exec java -Xmx2g -cp "$OUT/classes:$CP" ObservabilityBench \
  --jar "$APP/quarkus-run.jar" --work "$OUT/work" --records "${RECORDS:-10000000}" \
  --raw-records "${RAW_RECORDS:-1000000}" --warmup-records "${WARMUP_RECORDS:-1000000}" --app-heap "${APP_HEAP:-2g}"
