#!/usr/bin/env bash
# The auth chain's own cost without HTTP (ES256 verify, Redis session HMGET, permission match), single-threaded:
#   mvn -B -q test-compile && bench/auth-chain.sh redis://127.0.0.1:6379/1 [iterations]
set -euo pipefail
cd "$(dirname "$0")/.."
CP_FILE=target/bench-classpath.txt
[ -f "$CP_FILE" ] || mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$CP_FILE" >/dev/null
exec java -cp "target/classes:target/test-classes:$(cat "$CP_FILE")" com.skyyrose.hub.bench.AuthChainBench \
  "${1:-redis://127.0.0.1:6379/1}" "${2:-20000}"
