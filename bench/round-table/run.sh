#!/usr/bin/env bash
# Round-table benchmark: three fake providers (one WireMock, fixed 300 ms per answer) behind a real hub; reports
# end-to-end p50/p99 at concurrency 1 and 16 and the hub's own overhead. Not a test: run it by hand.
#
#   bench/round-table/run.sh                 # embedded PostgreSQL/Redis (DATABASE_URL/REDIS_URL unset)
#   DATABASE_URL=postgres://... REDIS_URL=redis://... bench/round-table/run.sh
#
# Settings: BENCH_REQUESTS (per worker, default 25), BENCH_WARMUP (rounds at concurrency 16 before measuring, default 3200, about a minute), BENCH_PHASES (concurrency of each measured phase, default 1,16,16), BENCH_JAVA_OPTS (hub JVM), BENCH_HUB_PORT and
# BENCH_FAKE_PORT (default: free ports). Everything listens on 127.0.0.1 and is stopped at the end; the hub's log is kept in
# target/bench-round-table-hub.log (LOGGING_LEVEL_COM_SKYYROSE_HUB_LLM=DEBUG adds per-round timings).
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=bench/round-table
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
HUB_PORT=${BENCH_HUB_PORT:-$(free_port)}
FAKE_PORT=${BENCH_FAKE_PORT:-$(free_port)}
WIREMOCK_JAR=$(ls ~/.m2/repository/org/wiremock/wiremock-standalone/*/wiremock-standalone-*.jar | grep -v sources | tail -1)
JAR=$(ls target/devskyy-hub*.jar 2>/dev/null | grep -v original | head -1 || true)
if [ -z "$JAR" ]; then
  mvn -B -q -o -DskipTests package
  JAR=$(ls target/devskyy-hub*.jar | grep -v original | head -1)
fi
WORK=$(mktemp -d)
cleanup() {
  [ -n "${HUB_PID:-}" ] && kill "$HUB_PID" 2>/dev/null && wait "$HUB_PID" 2>/dev/null || true
  [ -n "${FAKE_PID:-}" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null || true
  cp "$WORK/hub.log" target/bench-round-table-hub.log 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/wiremock"
cp -r "$HERE/mappings" "$WORK/wiremock/mappings"
java -jar "$WIREMOCK_JAR" --bind-address 127.0.0.1 --port "$FAKE_PORT" --root-dir "$WORK/wiremock" \
  --async-response-enabled true --async-response-threads 64 --container-threads 64 --no-request-journal \
  --disable-banner > "$WORK/wiremock.log" 2>&1 &
FAKE_PID=$!

FAKE=http://127.0.0.1:$FAKE_PORT
# development keys live in the database itself (hub_keyring), so an external DATABASE_URL keeps its admin between
# runs whatever the data folder; bench/results/ (which `mvn clean` keeps) holds the data folder, the embedded mode gets a fresh one (and database) every run
if [ -n "${DATABASE_URL:-}" ]; then DATA_DIR=bench/results/round-table-data; else DATA_DIR="$WORK/data"; fi
PORT=$HUB_PORT HUB_DATA_DIR="$DATA_DIR" HUB_ROUTES_RELOAD=false \
OPENAI_API_KEY=bench-openai OPENAI_BASE_URL=$FAKE/v1 OPENAI_MODEL=gpt-4o-mini \
ANTHROPIC_API_KEY=bench-anthropic ANTHROPIC_BASE_URL=$FAKE/v1 ANTHROPIC_MODEL=claude-3-5-haiku-latest \
GEMINI_API_KEY=bench-gemini GEMINI_BASE_URL=$FAKE/v1beta GEMINI_MODEL=gemini-2.0-flash \
HUB_LLM_JUDGE=never \
HUB_ADMIN_EMAIL="${BENCH_ADMIN_EMAIL:-bench-admin@skyyrose.test}" \
HUB_ADMIN_PASSWORD="${BENCH_ADMIN_PASSWORD:-bench-admin-password-0001}" \
HUB_RATE_LIMIT_USER_PER_MINUTE=1000000 \
  java ${BENCH_JAVA_OPTS:-} -jar "$JAR" > "$WORK/hub.log" 2>&1 &
HUB_PID=$!

# BENCH_START_WAIT: seconds to wait for the hub (a loaded shared machine can need minutes)
for _ in $(seq 1 $(( ${BENCH_START_WAIT:-120} * 2 ))); do
  if curl -fs "http://127.0.0.1:$HUB_PORT/health/ready" > /dev/null 2>&1; then break; fi
  if ! kill -0 "$HUB_PID" 2>/dev/null; then echo "hub exited:"; tail -50 "$WORK/hub.log"; exit 1; fi
  sleep 0.5
done
curl -fs "http://127.0.0.1:$HUB_PORT/health/ready" > /dev/null || { echo "hub not ready"; tail -50 "$WORK/hub.log"; exit 1; }

# sign in as the bench admin (a fresh embedded database makes it the first admin) unless a credential is given
if [ -z "${BENCH_AUTH_HEADER:-}" ]; then
  TOKEN=$(curl -fs -X POST "http://127.0.0.1:$HUB_PORT/api/v1/auth/token" \
    --data-urlencode grant_type=password \
    --data-urlencode "username=${BENCH_ADMIN_EMAIL:-bench-admin@skyyrose.test}" \
    --data-urlencode "password=${BENCH_ADMIN_PASSWORD:-bench-admin-password-0001}" \
    | sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p' || true)
  [ -n "$TOKEN" ] || { echo "could not sign in (set BENCH_AUTH_HEADER or BENCH_ADMIN_EMAIL/PASSWORD; with an external"\
    "DATABASE_URL, the admin stored in that database must match BENCH_ADMIN_EMAIL/PASSWORD)"; exit 1; }
  export BENCH_AUTH_HEADER="Authorization: Bearer $TOKEN"
fi

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
java "$HERE/RoundTableBench.java" "http://127.0.0.1:$HUB_PORT" "${BENCH_REQUESTS:-25}" "${BENCH_WARMUP:-3200}" "$HUB_PID"
