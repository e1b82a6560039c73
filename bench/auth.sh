#!/usr/bin/env bash
# Cost of the authentication chain: throughput and latency of an authenticated GET (JWT ES256 signature check +
# Redis session lookup + permission + per-principal rate limit) against an unauthenticated GET, same hub, same run,
# over loopback with wrk.
#
#   mvn -B -q package -DskipTests            # builds target/devskyy-hub.jar
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_identity \
#   BENCH_REDIS_URL=redis://127.0.0.1:6379/1 bench/auth.sh
#
# The admin must be able to sign in: on a database without an admin, BENCH_ADMIN_EMAIL/PASSWORD become the first
# admin; on one that has an admin, pass its credentials, and pass the hub's secrets (HUB_JWT_KEYS, HUB_ENCRYPTION_KEYS,
# HUB_INDEX_KEY...) as environment or as KEY=VALUE lines in BENCH_ENV_FILE, e.g. against the test database:
#   BENCH_ENV_FILE=src/test/resources/config/application.properties \
#   BENCH_ADMIN_EMAIL=test-admin@skyyrose.test BENCH_ADMIN_PASSWORD=test-admin-password-0001 ... bench/auth.sh
# Settings: BENCH_SECONDS (15), BENCH_THREADS (2), BENCH_CONNECTIONS (32), BENCH_PORT (18080).
# The hub it starts is stopped at the end; results are also written to bench/results/auth-<time>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${BENCH_DATABASE_URL:?set BENCH_DATABASE_URL (postgres://...)}
REDIS=${BENCH_REDIS_URL:?set BENCH_REDIS_URL (redis://...)}
SECONDS_=${BENCH_SECONDS:-15}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-32}
PORT=${BENCH_PORT:-18080}
JAR=target/devskyy-hub.jar
ADMIN_EMAIL=${BENCH_ADMIN_EMAIL:-bench-admin@skyyrose.test}
ADMIN_PASSWORD=${BENCH_ADMIN_PASSWORD:-bench-admin-password-0001}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }
[ -f "$JAR" ] || { echo "build first: mvn -B -q package -DskipTests"; exit 1; }
mkdir -p bench/results
OUT=bench/results/auth-$(date -u +%Y%m%dT%H%M%SZ).txt
DATA=$(mktemp -d)
if [ -n "${BENCH_ENV_FILE:-}" ]; then
  while IFS= read -r line; do
    case "$line" in ''|'#'*) continue ;; esac
    export "${line%%=*}=${line#*=}"
  done < "$BENCH_ENV_FILE"
fi

PORT=$PORT DATABASE_URL=$DB REDIS_URL=$REDIS HUB_DATA_DIR=$DATA HUB_ROUTES_RELOAD=false \
  HUB_ADMIN_EMAIL=$ADMIN_EMAIL HUB_ADMIN_PASSWORD=$ADMIN_PASSWORD \
  HUB_RATE_LIMIT_USER_PER_MINUTE=100000000 \
  java -Xmx512m -jar "$JAR" > "$DATA/hub.log" 2>&1 &
HUB=$!
trap 'kill $HUB 2>/dev/null; wait $HUB 2>/dev/null; rm -rf "$DATA"' EXIT

for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
  sleep 1
done
TOKEN=$(curl -fsS -H 'Content-Type: application/json' \
  -d "{\"grant_type\":\"password\",\"username\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" \
  "http://127.0.0.1:$PORT/api/v1/auth/token" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
[ -n "$TOKEN" ] || { echo "could not sign in; hub log: $DATA/hub.log"; exit 1; }
# both endpoints must answer what we expect before measuring
curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health"
curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/auth/me"

run() { # name, path, extra wrk args...
  local name=$1 path=$2; shift 2
  wrk -t"$THREADS" -c"$CONNS" -d5s "$@" "http://127.0.0.1:$PORT$path" >/dev/null   # warm-up
  echo "== $name: GET $path"
  wrk -t"$THREADS" -c"$CONNS" -d"${SECONDS_}s" --latency "$@" "http://127.0.0.1:$PORT$path" \
    | grep -E "Requests/sec|Latency  |50%|99%|Non-2xx|requests in"
}
{
  echo "bench/auth.sh $(date -u +%FT%TZ) threads=$THREADS connections=$CONNS duration=${SECONDS_}s cores=$(nproc)"
  run "unauthenticated (public)" /health
  # the auth chain alone: in a hub where no route serves listAgents yet this answers 501 after the chain
  run "authenticated (JWT + Redis session + permission + rate limit)" /api/v1/agents \
    -H "Authorization: Bearer $TOKEN"
  run "authenticated + one PostgreSQL read (auth/me)" /api/v1/auth/me -H "Authorization: Bearer $TOKEN"
} | tee "$OUT"
