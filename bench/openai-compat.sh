#!/usr/bin/env bash
# OpenAI-compatible pass-through benchmark: the hub's POST /v1/chat/completions (model openai/gpt-4o-mini) and the
# Portkey gateway (@portkey-ai/gateway 1.15.2, `gateway` on 127.0.0.1:8787, headers x-portkey-provider: openai and
# x-portkey-custom-host) in front of the same instant fake (WireMock, fixed JSON, no delay), and the fake directly;
# same client, same concurrency, same kind of request (every question differs), targets measured one after the other,
# in several rounds. Prints p50/p90/p99 and requests/s per target, the hub-added p50, the machine's load, and the CPU
# time per answered request of the hub, Portkey, the fake and the load client (from /proc) during each target's phase.
# Not a test: run it by hand.
#
#   bench/openai-compat.sh                          # embedded PostgreSQL/Redis (DATABASE_URL/REDIS_URL unset)
#   DATABASE_URL=postgres://... REDIS_URL=redis://... bench/openai-compat.sh
#
# Settings: BENCH_CONCURRENCY (8), BENCH_WARMUP_S (60, per target: the hub's JIT compiler is still busy after 20 s on
# 2 shared cores; the line "hub-jit" shows what it still spent while measured), BENCH_MEASURE_S (15), BENCH_ROUNDS (3),
# BENCH_JAR (the hub jar to run; default target/devskyy-hub*.jar), BENCH_JAVA_OPTS (hub JVM, e.g. -XX:StartFlightRecording=...), PORTKEY_DIR (where npm installs the gateway, default
# target/portkey). Budgets are off (the default); set HUB_BUDGET_USER_MONTHLY_USD / _TOKENS_PER_MINUTE to measure
# with their checks.
set -euo pipefail
cd "$(dirname "$0")/.."
HERE=bench/openai-compat
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
HUB_PORT=$(free_port)
FAKE_PORT=$(free_port)
PORTKEY_PORT=8787
WIREMOCK_JAR=$(ls ~/.m2/repository/org/wiremock/wiremock-standalone/*/wiremock-standalone-*.jar | grep -v sources | tail -1)
JAR=${BENCH_JAR:-$(ls target/devskyy-hub*.jar 2>/dev/null | grep -v original | head -1 || true)}
if [ -z "$JAR" ]; then
  mvn -B -q -o -DskipTests package
  JAR=$(ls target/devskyy-hub*.jar | grep -v original | head -1)
fi
PORTKEY_DIR=${PORTKEY_DIR:-target/portkey}
if [ ! -x "$PORTKEY_DIR/node_modules/.bin/gateway" ]; then
  mkdir -p "$PORTKEY_DIR"
  npm install --prefix "$PORTKEY_DIR" --no-audit --no-fund @portkey-ai/gateway@1.15.2 > /dev/null
fi
WORK=$(mktemp -d)
cleanup() {
  for pid in ${HUB_PID:-} ${FAKE_PID:-} ${PORTKEY_PID:-}; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  cp "$WORK/hub.log" target/bench-openai-compat-hub.log 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/wiremock"
cp -r "$HERE/mappings" "$WORK/wiremock/mappings"
java -jar "$WIREMOCK_JAR" --bind-address 127.0.0.1 --port "$FAKE_PORT" --root-dir "$WORK/wiremock" \
  --container-threads 64 --no-request-journal --disable-banner > "$WORK/wiremock.log" 2>&1 &
FAKE_PID=$!
FAKE=http://127.0.0.1:$FAKE_PORT

(cd "$PORTKEY_DIR" && exec node_modules/.bin/gateway) > "$WORK/portkey.log" 2>&1 &
PORTKEY_PID=$!

if [ -n "${DATABASE_URL:-}" ]; then DATA_DIR=bench/results/openai-compat-data; else DATA_DIR="$WORK/data"; fi
PORT=$HUB_PORT HUB_DATA_DIR="$DATA_DIR" HUB_ROUTES_RELOAD=false \
OPENAI_API_KEY=bench-openai OPENAI_BASE_URL=$FAKE/v1 OPENAI_MODEL=gpt-4o-mini \
HUB_ADMIN_EMAIL="${BENCH_ADMIN_EMAIL:-bench-admin@skyyrose.test}" \
HUB_ADMIN_PASSWORD="${BENCH_ADMIN_PASSWORD:-bench-admin-password-0001}" \
HUB_RATE_LIMIT_USER_PER_MINUTE=100000000 \
  java ${BENCH_JAVA_OPTS:-} -jar "$JAR" > "$WORK/hub.log" 2>&1 &
HUB_PID=$!

for _ in $(seq 1 240); do
  if curl -fs "http://127.0.0.1:$HUB_PORT/health/ready" > /dev/null 2>&1; then break; fi
  if ! kill -0 "$HUB_PID" 2>/dev/null; then echo "hub exited:"; tail -50 "$WORK/hub.log"; exit 1; fi
  sleep 0.5
done
curl -fs "http://127.0.0.1:$HUB_PORT/health/ready" > /dev/null || { echo "hub not ready"; tail -50 "$WORK/hub.log"; exit 1; }
for _ in $(seq 1 60); do
  curl -s -o /dev/null "http://127.0.0.1:$PORTKEY_PORT/" && break
  sleep 0.5
done

TOKEN=$(curl -fs -X POST "http://127.0.0.1:$HUB_PORT/api/v1/auth/token" \
  --data-urlencode grant_type=password \
  --data-urlencode "username=${BENCH_ADMIN_EMAIL:-bench-admin@skyyrose.test}" \
  --data-urlencode "password=${BENCH_ADMIN_PASSWORD:-bench-admin-password-0001}" \
  | sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p' || true)
[ -n "$TOKEN" ] || { echo "could not sign in"; exit 1; }

echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "concurrency ${BENCH_CONCURRENCY:-8}, ${BENCH_WARMUP_S:-60} s warm-up per target, ${BENCH_MEASURE_S:-15} s per target and round"
echo "hub: $JAR, JVM options '${BENCH_JAVA_OPTS:-}', budgets user ${HUB_BUDGET_USER_MONTHLY_USD:-0} USD/month, ${HUB_BUDGET_USER_TOKENS_PER_MINUTE:-0} tokens/min (0 = off); Portkey $(node -p "require('./$PORTKEY_DIR/node_modules/@portkey-ai/gateway/package.json').version" 2>/dev/null) on node $(node --version)"
java "$HERE/OpenAiCompatLoad.java" "--pids=hub:$HUB_PID,hub-jit:$HUB_PID:C[12] CompilerThre.*,portkey:$PORTKEY_PID,fake:$FAKE_PID" \
  "${BENCH_CONCURRENCY:-8}" "${BENCH_WARMUP_S:-60}" "${BENCH_MEASURE_S:-15}" \
  "${BENCH_ROUNDS:-3}" \
  "fake|$FAKE/v1/chat/completions|gpt-4o-mini|Authorization: Bearer bench-openai" \
  "hub|http://127.0.0.1:$HUB_PORT/v1/chat/completions|openai/gpt-4o-mini|Authorization: Bearer $TOKEN" \
  "portkey|http://127.0.0.1:$PORTKEY_PORT/v1/chat/completions|gpt-4o-mini|Authorization: Bearer bench-openai;x-portkey-provider: openai;x-portkey-custom-host: $FAKE/v1" \
  | tee "$WORK/result.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); other processes using CPU (top 5):"
ps -eo pcpu,comm --sort=-pcpu | sed -n '2,6p'
awk '$1=="fake"{f[$2]=$3} $1=="hub"{h[$2]=$3; hr[$2]=$6} $1=="portkey"{p[$2]=$6}
     $1=="cpu"{for (i = 4; i < NF; i += 2) c[$2, $3, $i] = $(i + 1)}
     END{for (r in h) {
           printf "round %s: hub-added p50 %.2f ms (target <= 5); hub %.0f req/s vs Portkey %.0f req/s = %.2fx (target >= 2x)\n", r, h[r]-f[r], hr[r], p[r], (p[r]>0?hr[r]/p[r]:0)
           printf "round %s: CPU per request: hub %.3f ms (of which JIT %.3f) vs Portkey %.3f ms; fake %.3f / %.3f, load client %.3f / %.3f (hub phase / Portkey phase)\n", r, c["hub",r,"hub"], c["hub",r,"hub-jit"], c["portkey",r,"portkey"], c["hub",r,"fake"], c["portkey",r,"fake"], c["hub",r,"client"], c["portkey",r,"client"]
         }}' "$WORK/result.txt"
