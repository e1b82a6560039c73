#!/usr/bin/env bash
# Partner event fan-out benchmark (issue 19). Loopback only; stops by itself.
# A hub on a fresh database; one partner with 10 subscriptions (product.updated) whose receivers run in the bench
# process (each answers 204 after BENCH_RECEIVER_DELAY_MS, default 20 ms, and verifies every Standard Webhooks
# signature); 1,000 signed WooCommerce product.updated webhooks (250 products × 4 updates, each product's updates in
# order, 8 senders in parallel, price and stock changing) → 10,000 deliveries. Prints deliveries/s (first store
# webhook sent → last delivery received) and the lag p50/p99 from the hub receiving the store webhook to the
# receiver getting the delivery, plus the hub's own p99 from PostgreSQL.
# Usage: bench/partner-deliveries.sh   (env: BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_PORT, BENCH_SUBSCRIPTIONS,
#        BENCH_PRODUCTS, BENCH_UPDATES, BENCH_SENDERS, BENCH_RECEIVER_DELAY_MS, BENCH_DELIVERY_WORKERS, BENCH_DELIVERY_BATCH)
set -euo pipefail
cd "$(dirname "$0")/.."
DB_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hub_partner_bench}
REDIS=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/4}
PORT=${BENCH_PORT:-18490}
SUBS=${BENCH_SUBSCRIPTIONS:-10}
PRODUCTS=${BENCH_PRODUCTS:-250}
UPDATES=${BENCH_UPDATES:-4}
SENDERS=${BENCH_SENDERS:-8}
DELAY=${BENCH_RECEIVER_DELAY_MS:-20}
WORKERS=${BENCH_DELIVERY_WORKERS:-2}   # HUB_PARTNER_DELIVERY_WORKERS of the hub
BATCH=${BENCH_DELIVERY_BATCH:-100}     # HUB_PARTNER_DELIVERY_BATCH_SIZE of the hub
SECRET=bench-store-secret
ADMIN=bench-admin@skyyrose.local
PASSWORD=bench-admin-password-1
OUT=bench/results
mkdir -p "$OUT"
JAR=$(ls target/devskyy-hub*.jar 2>/dev/null | grep -v original | head -n1 || true)
if [ -z "$JAR" ]; then mvn -B -q -o package -DskipTests; JAR=$(ls target/devskyy-hub*.jar | grep -v original | head -n1); fi

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
DB_NAME=${DB_URL##*/}
ADMIN_DB=${DB_URL%/*}/postgres
psql "$ADMIN_DB" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -qc "CREATE DATABASE $DB_NAME"

java -Xmx768m -jar "$JAR" --server.port="$PORT" --DATABASE_URL="$DB_URL" --REDIS_URL="$REDIS" \
  --HUB_ROUTES_RELOAD=false --HUB_DATA_DIR="$OUT/data" --HUB_WEBHOOKS_RECONCILE_ENABLED=false \
  --WOOCOMMERCE_WEBHOOK_SECRET=$SECRET --HUB_SSRF_ALLOWLIST=127.0.0.1 \
  --HUB_ADMIN_EMAIL=$ADMIN --HUB_ADMIN_PASSWORD=$PASSWORD \
  --HUB_PARTNER_DELIVERY_WORKERS=$WORKERS --HUB_PARTNER_DELIVERY_BATCH_SIZE=$BATCH \
  --logging.level.root=WARN >"$OUT/hub-partners.log" 2>&1 &
HUB=$!
trap 'kill $HUB 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "hub did not start"; exit 1; }
TOKEN=""
for _ in $(seq 1 20); do  # a loaded machine may answer 503 (no free password-hash slot): try again
  TOKEN=$(curl -s -d grant_type=password -d username=$ADMIN -d password=$PASSWORD \
    "http://127.0.0.1:$PORT/api/v1/auth/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
  [ -n "$TOKEN" ] && break; sleep 1
done
[ -n "$TOKEN" ] || { echo "could not sign in"; exit 1; }

RESULT=$(java bench/PartnerDeliveriesBench.java "http://127.0.0.1:$PORT" "$SECRET" "$TOKEN" "$SUBS" "$PRODUCTS" \
  "$UPDATES" "$SENDERS" "$DELAY")
HUB_P99=$(psql "$DB_URL" -tAc "SELECT round(percentile_cont(0.99) WITHIN GROUP (ORDER BY lag_ms)) FROM partner_delivery WHERE status = 'delivered'")
ATTEMPTS=$(psql "$DB_URL" -tAc "SELECT count(*) FROM partner_delivery_attempt")
DELIVERED=$(psql "$DB_URL" -tAc "SELECT count(*) FROM partner_delivery WHERE status = 'delivered'")
EVENTS=$(psql "$DB_URL" -tAc "SELECT count(*) FROM partner_event")
kill $HUB; wait $HUB 2>/dev/null || true
CONDITIONS="\"conditions\":{\"cores\":$(nproc),\"hub_heap\":\"768m\",\"delivery_workers\":$WORKERS,\"batch\":$BATCH,\"load_average_before\":\"$LOAD_BEFORE\",\"concurrency_per_worker\":32,\"postgres\":\"local, shared machine\",\"receiver\":\"same host, ${DELAY} ms per request\"}"
echo "${RESULT%\}},\"hub_lag_ms_p99\":${HUB_P99:-null},\"events\":$EVENTS,\"delivered\":$DELIVERED,\"attempts\":$ATTEMPTS,$CONDITIONS}" \
  | tee "$OUT/partner-deliveries-$(date +%Y%m%dT%H%M%S).json"
