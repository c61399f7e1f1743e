#!/usr/bin/env bash
# pdp-agent benchmarks (see AgentBench.java; bench/agent/e2e.sh measures the same through real processes): snapshot -> applied on the local target over a real
# WebSocket, and reconciling 1,000 integrations into fabric8's mock API server, each with a
# reference measured in the same run.
# Usage: bench/agent/run.sh [rounds=200] [integrations=1000]   (builds under the shared build lock)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# one reactor run, so that pdp-agent resolves spec from spec/target (nothing is installed)
flock /tmp/outpost-build.lock ./mvnw -B -q -pl spec,edge,pdp-agent package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
cp="spec/target/classes:pdp-agent/target/classes:$(cat pdp-agent/target/bench-classpath.txt)"
java -Xmx512m -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -Dlogging.configuration=file:"$root/bench/agent/logging.properties" \
  -cp "$cp" bench/agent/AgentBench.java "${1:-200}" "${2:-1000}"
