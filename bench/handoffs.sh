#!/usr/bin/env bash
# Webhook → knowledge base latency (issue 17): a hub (jar) on its own database with the default hand-off settings
# (500 ms poll, one knowledge worker, the brand's seed documents in the knowledge base), then HandoffLatency sends
# BENCH_COUNT signed product.updated deliveries one at a time, each a different generated product, and times each
# from sending to the first knowledge search that finds the product's document. Loopback only; stops by itself.
# Usage: bench/handoffs.sh   (env: BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_COUNT, BENCH_PORT)
set -euo pipefail
cd "$(dirname "$0")/.."
DB_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hub_handoffs_bench}
REDIS=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/6}
COUNT=${BENCH_COUNT:-40}
PORT=${BENCH_PORT:-18617}
SECRET=bench-handoff-secret
OUT=bench/results
mkdir -p "$OUT"
JAR=$(ls target/devskyy-hub*.jar 2>/dev/null | grep -v original | head -n1 || true)
if [ -z "$JAR" ]; then mvn -B -q -o package -DskipTests; JAR=$(ls target/devskyy-hub*.jar | grep -v original | head -n1); fi
DB_NAME=${DB_URL##*/}
psql "${DB_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"

java -Xmx768m -jar "$JAR" --server.port="$PORT" --DATABASE_URL="$DB_URL" --REDIS_URL="$REDIS" \
  --HUB_ROUTES_RELOAD=false --HUB_DATA_DIR="$OUT/data" --HUB_WEBHOOKS_RECONCILE_ENABLED=false \
  --WOOCOMMERCE_WEBHOOK_SECRET=$SECRET --HUB_ADMIN_EMAIL=bench@skyyrose.local --HUB_ADMIN_PASSWORD=bench-password-0001 \
  --logging.level.root=WARN >"$OUT/hub-handoffs.log" 2>&1 &
HUB=$!
trap 'kill $HUB 2>/dev/null || true' EXIT
if curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then echo "port $PORT is taken (BENCH_PORT)"; exit 1; fi
READY=no
for _ in $(seq 1 480); do
  kill -0 $HUB 2>/dev/null || { echo "hub exited: $OUT/hub-handoffs.log"; exit 1; }
  curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && { READY=yes; break; }
  sleep 0.5
done
[ $READY = yes ] || { echo "hub not ready after 240 s"; exit 1; }
RESULT=$(java bench/HandoffLatency.java "http://127.0.0.1:$PORT" "$SECRET" "$COUNT" bench@skyyrose.local bench-password-0001)
DOCS=$(psql "$DB_URL" -tAc "SELECT count(*) FROM knowledge_document")
echo "{\"latency\":$RESULT,\"knowledge_documents\":$DOCS,\"poll_interval\":\"500ms\",\"cores\":$(nproc),\"load1\":$(cut -d' ' -f1 /proc/loadavg)}" \
  | tee "$OUT/handoffs-$(date +%Y%m%dT%H%M%S).json"
