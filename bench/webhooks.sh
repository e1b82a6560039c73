#!/usr/bin/env bash
# Webhook intake + worker benchmark (issue 8). Loopback only; stops by itself.
#   1. hub with workers OFF: WebhookLoad sends distinct signed WooCommerce deliveries at concurrency 32
#      → accepted events/s, p50/p99 of the 2xx;
#   2. same hub restarted with workers ON: the backlog drains through the topic router's no-op branch
#      (topic action.woocommerce_bench → no handler) → processing rate;
#   3. counts in PostgreSQL: stored == acknowledged (0 lost), every event processed once (0 processed twice).
# Usage: bench/webhooks.sh   (env: BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_PORT,
#        BENCH_JAVA_OPTS: extra JVM options for the hub, e.g. -XX:StartFlightRecording=filename=/tmp/hub.jfr,
#        BENCH_OTLP_ENDPOINT: tracing on, exporting every span there over OTLP/HTTP — bench/tracing.sh compares)
set -euo pipefail
cd "$(dirname "$0")/.."
DB_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hub_webhooks}
if [ -z "${BENCH_DATABASE_URL:-}" ] && ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'hub_webhooks'" | grep -q 1; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE hub_webhooks"  # the default database, made on first use
fi
REDIS=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/5}
SECONDS_RUN=${BENCH_SECONDS:-30}
WARMUP=${BENCH_WARMUP:-40}  # seconds of unmeasured load first: the JIT needs about that to compile the hot paths
CONC=${BENCH_CONCURRENCY:-32}
PORT=${BENCH_PORT:-18480}
SOURCE=bench$(date +%s)
SECRET=bench-secret
OUT=bench/results
mkdir -p "$OUT"
JAR=$(ls target/devskyy-hub*.jar 2>/dev/null | grep -v original | head -n1 || true)
if [ -z "$JAR" ]; then mvn -B -q -o package -DskipTests; JAR=$(ls target/devskyy-hub*.jar | grep -v original | head -n1); fi

start_hub() { # $1 = workers enabled
  java ${BENCH_JAVA_OPTS:-} -Xmx768m -jar "$JAR" --server.port="$PORT" --DATABASE_URL="$DB_URL" --REDIS_URL="$REDIS" \
    --HUB_ROUTES_RELOAD=false --HUB_DATA_DIR="$OUT/data" --HUB_WEBHOOKS_RECONCILE_ENABLED=false \
    --HUB_WEBHOOKS_WORKER_ENABLED="$1" --hub.webhooks.woocommerce.$SOURCE.secret=$SECRET \
    ${BENCH_OTLP_ENDPOINT:+--OTEL_EXPORTER_OTLP_ENDPOINT=$BENCH_OTLP_ENDPOINT} \
    --logging.level.root=WARN >"$OUT/hub-$1.log" 2>&1 &
  HUB=$!
  for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && return; sleep 0.5; done
  echo "hub did not start"; kill "$HUB"; exit 1
}
stop_hub() { kill "$HUB"; wait "$HUB" 2>/dev/null || true; }
psql_q() { psql "$DB_URL" -tAc "$1"; }

jit_seconds() { curl -fs "http://127.0.0.1:$PORT/metrics" | awk '/^jvm_compilation_time_ms_total/ {printf "%.1f", $NF / 1000}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system, 1/100 s

start_hub false
CPU0=$(cpu_ticks "$HUB")
(sleep "$WARMUP"; jit_seconds > "$OUT/jit0.txt") &
LOAD=$(BENCH_HUB_PID=$HUB /usr/bin/time -f '%U %S' -o "$OUT/load-cpu.txt" java bench/WebhookLoad.java "http://127.0.0.1:$PORT/webhooks/woocommerce/$SOURCE" "$SECRET" "$CONC" "$WARMUP" "$SECONDS_RUN")
CPU1=$(cpu_ticks "$HUB")
JIT_MEASURED=$(echo "$(cat "$OUT/jit0.txt") $(jit_seconds)" | awk '{printf "%.1f", $2 - $1}')  # JIT time while measured
stop_hub
ACK=$(echo "$LOAD" | sed -E 's/.*"accepted_total":([0-9]+).*/\1/')
STORED=$(psql_q "SELECT count(*) FROM webhook_event WHERE source = '$SOURCE'")

start_hub true
T0=$(date +%s.%N)
while [ "$(psql_q "SELECT count(*) FROM webhook_event WHERE source = '$SOURCE' AND status = 'pending'")" != 0 ]; do sleep 0.2; done
T1=$(date +%s.%N)
stop_hub
PROCESSED=$(psql_q "SELECT count(*) FROM webhook_event WHERE source = '$SOURCE' AND status = 'processed'")
TWICE=$(psql_q "SELECT count(*) FROM webhook_event WHERE source = '$SOURCE' AND (attempts <> 1 OR status <> 'processed')")
KEYS=$(psql_q "SELECT count(*) FROM webhook_processed_key k JOIN webhook_event e ON e.id = k.event_id WHERE e.source = '$SOURCE'")
RATE=$(echo "$PROCESSED $T0 $T1" | awk '{printf "%.0f", $1 / ($3 - $2)}')
# the hub's CPU over warm-up + measurement, per delivery it stored in that time (warm-up deliveries included)
CPU_MS=$(echo "$CPU0 $CPU1 $STORED" | awk '{printf "%.3f", ($2 - $1) * 10 / $3}')
LOAD_CPU_MS=$(echo "$(cat "$OUT/load-cpu.txt") $STORED" | awk '{printf "%.3f", ($1 + $2) * 1000 / $3}')
RESULT="{\"intake\":$LOAD,\"hub_cpu_ms_per_delivery\":$CPU_MS,\"load_generator_cpu_ms_per_delivery\":$LOAD_CPU_MS,\"hub_jit_s_while_measured\":$JIT_MEASURED,\"acknowledged\":$ACK,\"stored\":$STORED,\"lost\":$((ACK > STORED ? ACK - STORED : 0)),\"processed\":$PROCESSED,\"processed_keys\":$KEYS,\"not_processed_exactly_once\":$TWICE,\"drain_per_s\":$RATE,\"tracing\":\"${BENCH_OTLP_ENDPOINT:-off}\",\"cores\":$(nproc)}"
echo "$RESULT" | tee "$OUT/webhooks-$(date +%Y%m%dT%H%M%S).json"
