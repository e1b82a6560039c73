#!/usr/bin/env bash
# What tracing costs a webhook delivery, measured inside one hub process: the hub runs with tracing on (every span
# exported over OTLP/HTTP to a local sink that accepts and discards them), and span recording is switched on and off
# every BENCH_WINDOW seconds (PUT /api/v1/ops/tracing; paused, the hub traces as with tracing off). Separate runs of
# bench/tracing.sh differ by up to ±20% between identical runs (JIT decisions, memory layout), four times the 5%
# target; windows of one process share all of that. Each window's hub CPU per delivery (request, collector and other
# threads; JIT left out) is read after a settling time; a traced window is compared with the mean of the untraced
# windows on both sides of it (a slow drift cancels out); the export threads' CPU over the whole row is put on the
# traced deliveries. A delivery is the whole of it, intake and the worker's processing, at a fixed rate (600/s by
# default: with the workers on, 2 cores carry no more alongside PostgreSQL and the load generator); BENCH_WORKERS=false
# measures the intake alone, as bench/webhooks.sh and bench/tracing.sh do (the rate can then be 1000/s).
# Loopback only; stops by itself.
# Env: BENCH_WORKERS (default true), BENCH_RATE (deliveries/s, default 600), BENCH_WARMUP (s, default 120), BENCH_SECONDS (measured, default 600),
# BENCH_WINDOW (s, default 10), BENCH_SETTLE (s, default 2), BENCH_CONCURRENCY (default 32), BENCH_PORT (18482),
# BENCH_SINK_PORT (18431), BENCH_DATABASE_URL (default: database hub_tracing_switch, made empty),
# BENCH_REDIS_URL (default redis://127.0.0.1:6379/6), BENCH_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${BENCH_RATE:-600}
WORKERS=${BENCH_WORKERS:-true}
WARMUP=${BENCH_WARMUP:-120}
SECONDS_RUN=${BENCH_SECONDS:-600}
CONC=${BENCH_CONCURRENCY:-32}
PORT=${BENCH_PORT:-18482}
SINK_PORT=${BENCH_SINK_PORT:-18431}
REDIS=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/6}
SOURCE=bench$(date +%s)
SECRET=bench-secret
ADMIN=bench-admin@skyyrose.local
PASSWORD=bench-password-0001
OUT=bench/results
mkdir -p "$OUT"
for p in "$PORT" "$SINK_PORT"; do
  if curl -s -o /dev/null "http://127.0.0.1:$p/"; then echo "port $p is in use; set BENCH_PORT / BENCH_SINK_PORT"; exit 1; fi
done
if [ -z "${BENCH_DATABASE_URL:-}" ]; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS hub_tracing_switch WITH (FORCE)" \
    -qc "CREATE DATABASE hub_tracing_switch"
fi
DB_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hub_tracing_switch}
JAR=$(ls target/devskyy-hub*.jar 2>/dev/null | grep -v original | head -n1 || true)
if [ -z "$JAR" ]; then mvn -B -q -o package -DskipTests; JAR=$(ls target/devskyy-hub*.jar | grep -v original | head -n1); fi

java bench/OtlpSink.java "$SINK_PORT" >"$OUT/otlp-sink-switch.log" 2>&1 &
SINK=$!
HUB=
trap 'kill $SINK 2>/dev/null || true; [ -n "$HUB" ] && kill $HUB 2>/dev/null || true' EXIT
# recording starts on whatever an earlier run left in Redis: on
redis-cli -u "$REDIS" DEL hub:tracing:recording >/dev/null

java ${BENCH_JAVA_OPTS:-} -Xmx768m -jar "$JAR" --server.port="$PORT" --DATABASE_URL="$DB_URL" --REDIS_URL="$REDIS" \
  --HUB_ROUTES_RELOAD=false --HUB_DATA_DIR="$OUT/data" --HUB_WEBHOOKS_RECONCILE_ENABLED=false \
  --HUB_WEBHOOKS_WORKER_ENABLED="$WORKERS" --hub.webhooks.woocommerce.$SOURCE.secret=$SECRET \
  --OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT" \
  --HUB_ADMIN_EMAIL=$ADMIN --HUB_ADMIN_PASSWORD=$PASSWORD --HUB_ACCESS_TOKEN_TTL=6h \
  --logging.level.root=WARN >"$OUT/hub-switch.log" 2>&1 &
HUB=$!
for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "hub did not start"; exit 1; }
TOKEN=$(curl -fs -d grant_type=password -d "username=$ADMIN" -d "password=$PASSWORD" \
  "http://127.0.0.1:$PORT/api/v1/auth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

echo "conditions: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ); one hub" \
  "(tracing on, workers $WORKERS), rate $RATE/s, warm-up ${WARMUP} s switching too, measured ${SECONDS_RUN} s in" \
  "${BENCH_WINDOW:-10} s windows (first ${BENCH_SETTLE:-2} s of each left out)"
RESULT=$OUT/tracing-switch-$(date +%Y%m%dT%H%M%S).json
BENCH_RATE=$RATE BENCH_HUB_PID=$HUB BENCH_SWITCH_URL="http://127.0.0.1:$PORT/api/v1/ops/tracing" \
  BENCH_SWITCH_TOKEN=$TOKEN java bench/WebhookLoad.java "http://127.0.0.1:$PORT/webhooks/woocommerce/$SOURCE" \
  "$SECRET" "$CONC" "$WARMUP" "$SECONDS_RUN" >"$RESULT"
# every delivery acknowledged was stored and (workers on) processed once; the worker kept up (backlog at the end)
sleep 3
q() { psql "$DB_URL" -tAc "$1"; }
COUNTS=$(q "SELECT count(*) || ' stored, ' || count(*) FILTER (WHERE status = 'processed') || ' processed, '
  || count(*) FILTER (WHERE status = 'pending') || ' pending, ' || count(*) FILTER (WHERE attempts > 1)
  || ' processed more than once' FROM webhook_event WHERE source = '$SOURCE'")
kill "$HUB"; wait "$HUB" 2>/dev/null || true; HUB=
kill "$SINK"; wait "$SINK" 2>/dev/null || true
echo "deliveries: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accepted_total"])' "$RESULT")" \
  "acknowledged; $COUNTS"
# figures; several runs' JSON files pooled: python3 bench/tracing-switch-summary.py RUN.json RUN.json ...
python3 bench/tracing-switch-summary.py "$RESULT" --sink "$OUT/otlp-sink-switch.log"
