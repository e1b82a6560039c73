#!/usr/bin/env bash
# Foundation benchmark: time from launch to /health/ready = 200 and resident memory, for
#   1. embedded mode, second start (data folder already present),
#   2. the machine's PostgreSQL and Redis (DATABASE_URL / REDIS_URL),
# then RSS after one minute of wrk on /health (loopback only; stops by itself).
# Usage: bench/startup-and-memory.sh [wrk-seconds]   (needs: a built jar, curl, wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=target/devskyy-hub.jar
WRK_SECONDS=${1:-60}
PORT=${BENCH_PORT:-18080}
DB_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
REDIS=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/0}
[ -f "$JAR" ] || mvn -B -q -DskipTests package
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 1; }
if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then echo "port $PORT is in use; set BENCH_PORT"; exit 1; fi
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT

rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

# launch, wait for readiness, print seconds; leaves PID in $HUB_PID
launch() {
  local start end
  start=$(date +%s.%N)
  env "$@" PORT=$PORT HUB_DATA_DIR="$DATA" HUB_ROUTES_RELOAD=false java -jar "$JAR" >"$DATA/hub.log" 2>&1 &
  HUB_PID=$!
  for _ in $(seq 1 1200); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health/ready")" = 200 ]; then
      end=$(date +%s.%N); echo "$end - $start" | bc; return 0
    fi
    sleep 0.05
  done
  echo "hub did not become ready; log:"; tail -50 "$DATA/hub.log"; kill "$HUB_PID"; exit 1
}
stop() { kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true; }

echo "== embedded mode (first start creates the data folder; second start is measured)"
launch DATABASE_URL= REDIS_URL= >/dev/null; stop
launch DATABASE_URL= REDIS_URL= >"$DATA/t"
echo "launch -> ready (embedded, data present): $(cat "$DATA/t")s, RSS $(rss_mb $HUB_PID) MB"
stop

echo "== machine servers ($DB_URL, $REDIS)"
launch DATABASE_URL="$DB_URL" REDIS_URL="$REDIS" >"$DATA/t"
echo "launch -> ready (external): $(cat "$DATA/t")s, RSS after start $(rss_mb $HUB_PID) MB"
wrk -t2 -c32 -d"${WRK_SECONDS}s" --latency "http://127.0.0.1:$PORT/health" | sed -n '1,20p'
echo "RSS after ${WRK_SECONDS}s of wrk on /health: $(rss_mb $HUB_PID) MB"
stop
