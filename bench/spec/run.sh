#!/usr/bin/env bash
# Benchmarks the spec library's work on one snapshot (decode, validate, canonicalise, sign, verify)
# against a reference measured in the same run (Jackson parse + write of the same JSON).
# Usage: bench/spec/run.sh   (from anywhere; builds spec under the shared build lock)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
flock /tmp/outpost-build.lock ./mvnw -B -q -pl spec package -DskipTests
flock /tmp/outpost-build.lock ./mvnw -B -q -pl spec dependency:build-classpath \
  -Dmdep.outputFile="$root/spec/target/bench-classpath.txt" -Dmdep.includeScope=runtime
cp="spec/target/classes:$(cat spec/target/bench-classpath.txt)"
java -cp "$cp" bench/spec/SpecBench.java
