#!/usr/bin/env bash
# Footprint benchmark (issue 21): the production jar in external mode under a mixed load, with the JVM options the
# Dockerfile sets, on a simulated 512 MB container (-XX:MaxRAM=512m sizes the heap as Render's starter would);
# prints RSS over time with the Native Memory Tracking split:
#   heap      = NMT "Java Heap" committed
#   non-heap  = the rest NMT tracks (class metadata, code cache, threads, GC, symbols, ...) but the CDS archives
#   CDS       = the resident pages of the CDS archives (the JDK's and the hub's, mapped files)
#   untracked = RSS - the above (≈ native memory the JVM does not track: ONNX Runtime, tokenizers, malloc arenas,
#               shared libraries' code)
# Load, all at once for BENCH_SECONDS (default 120) after start-up, loopback only, stops by itself:
#   round table at concurrency 8 (three fake providers in WireMock, bench/round-table/mappings),
#   webhook intake (bench/WebhookLoad.java, BENCH_WEBHOOK_CONCURRENCY=4; the achieved rate is printed),
#   20 parallel sign-ins every 5 s, knowledge searches (2 loops).
# Usage: bench/footprint.sh   (env: BENCH_DATABASE_URL (default: fresh database hub_footprint on 127.0.0.1),
#        BENCH_REDIS_URL, BENCH_SECONDS, BENCH_JAVA_OPTS (replaces the Dockerfile's options), BENCH_PORT)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=target/devskyy-hub.jar
SECONDS_RUN=${BENCH_SECONDS:-120}
PORT=${BENCH_PORT:-18521}
REDIS=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/6}
. bench/lib/production.sh
bench_database hub_footprint
production_jar "$JAR"
# the options the Docker image runs with (its JAVA_TOOL_OPTIONS), unless replaced
DOCKER_OPTS=$(sed -n 's/.*JAVA_TOOL_OPTIONS="\([^"]*\)".*/\1/p' Dockerfile)
JAVA_OPTS=${BENCH_JAVA_OPTS:-$DOCKER_OPTS}
# and the image's memory-related environment (request threads, malloc arenas)
DOCKER_ENV=$(awk '/^FROM /{ s = "" } !/^ *#/{ s = s $0 "\n" } END { printf "%s", s }' Dockerfile | grep -oE '(HUB_[A-Z_]+|MALLOC_[A-Z_]+)=[0-9]+' | tr '\n' ' ')
WIREMOCK_JAR=$(ls ~/.m2/repository/org/wiremock/wiremock-standalone/*/wiremock-standalone-*.jar | grep -v sources | tail -1)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
FAKE_PORT=$(free_port)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${HUB_PID:-}" ] && kill "$HUB_PID" 2>/dev/null && wait "$HUB_PID" 2>/dev/null || true
  [ -n "${FAKE_PID:-}" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null || true
  cp "$WORK/hub.log" target/bench-footprint-hub.log 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/wiremock"
cp -r bench/round-table/mappings "$WORK/wiremock/mappings"
java -Xmx256m -jar "$WIREMOCK_JAR" --bind-address 127.0.0.1 --port "$FAKE_PORT" --root-dir "$WORK/wiremock" \
  --async-response-enabled true --async-response-threads 32 --container-threads 32 --no-request-journal \
  --disable-banner > "$WORK/wiremock.log" 2>&1 &
FAKE_PID=$!
FAKE=http://127.0.0.1:$FAKE_PORT
SOURCE=footprint
SECRET=footprint-secret
ADMIN=footprint-admin@skyyrose.test
PASSWORD=footprint-password-0001

MASTER_KEY=$(head -c 32 /dev/urandom | base64)
# starts the hub in the background with these java arguments (after the options); PID in $HUB_PID
start_hub() {
  env $DOCKER_ENV HUB_ENV=production HUB_MASTER_KEY="$MASTER_KEY" DATABASE_URL="$DB_URL" REDIS_URL="$REDIS" \
    PORT=$PORT HUB_ROUTES_DIR=routes HUB_ROUTES_RELOAD=false HUB_DATA_DIR="$WORK/data" HUB_LOG_FORMAT=text \
    HUB_ADMIN_EMAIL=$ADMIN HUB_ADMIN_PASSWORD=$PASSWORD HUB_LLM_JUDGE=never \
    OPENAI_API_KEY=bench-openai OPENAI_BASE_URL=$FAKE/v1 OPENAI_MODEL=gpt-4o-mini \
    ANTHROPIC_API_KEY=bench-anthropic ANTHROPIC_BASE_URL=$FAKE/v1 ANTHROPIC_MODEL=claude-3-5-haiku-latest \
    GEMINI_API_KEY=bench-gemini GEMINI_BASE_URL=$FAKE/v1beta GEMINI_MODEL=gemini-2.0-flash \
    HUB_RATE_LIMIT_USER_PER_MINUTE=1000000 HUB_LOGIN_IP_PER_MINUTE=100000 \
    java $JAVA_OPTS -XX:MaxRAM=512m "$@" --hub.webhooks.woocommerce.$SOURCE.secret=$SECRET > "$WORK/hub.log" 2>&1 &
  HUB_PID=$!
}
wait_ready() {
  for _ in $(seq 1 3000); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health/ready")" = 200 ] && return 0
    kill -0 "$HUB_PID" 2>/dev/null || { echo "hub exited:"; tail -40 "$WORK/hub.log"; exit 1; }
    sleep 0.1
  done
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (shared: figures include other work)"
# what the Docker image runs: the extracted jar with the CDS archive of a training run (BENCH_CDS=0: the fat jar)
if [ "${BENCH_CDS:-1}" = 1 ]; then
  java -Djarmode=tools -jar "$JAR" extract --destination "$WORK/app" >/dev/null
  start_hub -XX:ArchiveClassesAtExit="$WORK/app/hub.jsa" -jar "$WORK/app/devskyy-hub.jar"; wait_ready
  kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true
  RUN_ARGS=(-XX:SharedArchiveFile="$WORK/app/hub.jsa" -jar "$WORK/app/devskyy-hub.jar")
  echo "layout: extracted jar + CDS archive ($(( $(stat -c %s "$WORK/app/hub.jsa") / 1048576 )) MB, from a training run to ready)"
else
  RUN_ARGS=(-jar "$JAR")
  echo "layout: fat jar"
fi
echo "hub JVM options: $JAVA_OPTS -XX:MaxRAM=512m -XX:NativeMemoryTracking=summary; environment: $DOCKER_ENV"
START=$(date +%s.%N)
start_hub -XX:NativeMemoryTracking=summary "${RUN_ARGS[@]}"
wait_ready
echo "launch -> ready: $(echo "$(date +%s.%N) - $START" | bc) s"

sign_in() {
  curl -s -X POST "http://127.0.0.1:$PORT/api/v1/auth/token" --data-urlencode grant_type=password \
    --data-urlencode "username=$ADMIN" --data-urlencode "password=$PASSWORD" -o "$WORK/signin.$1" -w '%{http_code}\n'
}
TOKEN=$(sign_in 0 >/dev/null; sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p' "$WORK/signin.0")
[ -n "$TOKEN" ] || { echo "could not sign in"; cat "$WORK/signin.0"; exit 1; }
export BENCH_AUTH_HEADER="Authorization: Bearer $TOKEN"

# NMT summary -> "rss heap nonheap cds untracked" in MB. NMT counts a CDS archive's whole mapping as committed, while
# RSS holds only its touched pages: "cds" is the archives' resident pages (smaps of the *.jsa mappings), and
# non-heap leaves NMT's "Shared class space" out
sample() {
  local rss nmt cds
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$HUB_PID/status")
  cds=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { jsa = ($6 ~ /\.jsa$/) } /^Rss:/ && jsa { kb += $2 } END { print kb + 0 }' \
    "/proc/$HUB_PID/smaps" 2>/dev/null || echo 0)
  nmt=$(jcmd "$HUB_PID" VM.native_memory summary 2>/dev/null || true)
  echo "$nmt" | awk -v rss="$rss" -v cds="$cds" '
    function committed() { match($0, /committed=[0-9]+KB/); return substr($0, RSTART + 10, RLENGTH - 12) }
    /^Total:/ { total = committed() }
    /Java Heap \(/ { heap = committed() }
    /Shared class space \(/ { shared = committed() }
    END { nonheap = total - heap - shared
          printf "%d %d %d %d %d\n", rss / 1024, heap / 1024, nonheap / 1024, cds / 1024, (rss - heap - nonheap - cds) / 1024 }'
}

END_AT=$(( $(date +%s) + SECONDS_RUN ))
BENCH_PHASES=8 java bench/round-table/RoundTableBench.java "http://127.0.0.1:$PORT" 1000000 16 "$HUB_PID" \
  > "$WORK/round-table.txt" 2>&1 & PIDS+=($!); RT_PID=$!
java bench/WebhookLoad.java "http://127.0.0.1:$PORT/webhooks/woocommerce/$SOURCE" "$SECRET" \
  "${BENCH_WEBHOOK_CONCURRENCY:-4}" 0 "$SECONDS_RUN" > "$WORK/webhooks.txt" 2>&1 & PIDS+=($!)
( while [ "$(date +%s)" -lt "$END_AT" ]; do
    for i in $(seq 1 20); do sign_in "$i" >> "$WORK/signins.txt" & done; wait; sleep 5
  done ) & PIDS+=($!)
for loop in 1 2; do
  ( while [ "$(date +%s)" -lt "$END_AT" ]; do
      curl -s -o /dev/null -w '%{http_code}\n' -X POST "http://127.0.0.1:$PORT/api/v1/knowledge/search" \
        -H "$BENCH_AUTH_HEADER" -H 'Content-Type: application/json' \
        -d "{\"query\":\"How long do I have to return a hoodie? $RANDOM\",\"k\":5}" >> "$WORK/searches.txt"
    done ) & PIDS+=($!)
done

printf '%6s %8s %8s %9s %6s %10s\n' "t(s)" "RSS MB" "heap MB" "non-heap" "CDS" "untracked"
T0=$(date +%s)
PEAK=0; STEADY_SUM=0; STEADY_N=0
while [ "$(date +%s)" -lt "$END_AT" ]; do
  read -r rss heap nonheap cds untracked <<<"$(sample)"
  t=$(( $(date +%s) - T0 ))
  printf '%6d %8d %8d %9d %6d %10d\n' "$t" "$rss" "$heap" "$nonheap" "$cds" "$untracked"
  [ "$rss" -gt "$PEAK" ] && PEAK=$rss
  if [ "$t" -ge $(( SECONDS_RUN / 2 )) ]; then STEADY_SUM=$(( STEADY_SUM + rss )); STEADY_N=$(( STEADY_N + 1 )); fi
  sleep 5
done
# collector cost over the whole run (start-up included): the serial collector runs on the "VM Thread", so its CPU
# time is the collector's (plus other safepoint work, small); jstat's GC time is pause wall time, which a loaded
# machine inflates
read -r GC_YOUNG GC_FULL GC_PAUSE_S <<<"$(jstat -gc "$HUB_PID" | awk 'NR == 2 { print $(NF-6), $(NF-4), $NF }')"
HZ=$(getconf CLK_TCK)
for task in /proc/$HUB_PID/task/*; do
  if [ "$(cat "$task/comm" 2>/dev/null)" = "VM Thread" ]; then
    GC_CPU_S=$(awk -v hz="$HZ" '{ printf "%.1f", ($14 + $15) / hz }' "$task/stat")
  fi
done
CPU_S=$(awk -v hz="$HZ" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$HUB_PID/stat")
jcmd "$HUB_PID" VM.native_memory summary > target/bench-footprint-nmt.txt 2>/dev/null || true
kill "$RT_PID" 2>/dev/null || true
wait "${PIDS[@]}" 2>/dev/null || true
echo "RSS peak $PEAK MB, steady (mean of the second half) $(( STEADY_N > 0 ? STEADY_SUM / STEADY_N : 0 )) MB (targets: 512 / 460)"
echo "GC: $GC_YOUNG young + $GC_FULL full collections, pauses $GC_PAUSE_S s (wall); collector CPU ${GC_CPU_S:-?} s of the hub's $CPU_S s ($(echo "scale=1; 100 * ${GC_CPU_S:-0} / $CPU_S" | bc) %)"
echo "webhook intake: $(cat "$WORK/webhooks.txt" | tail -1)"
echo "sign-ins: $(sort "$WORK/signins.txt" | uniq -c | tr '\n' ' ')"
echo "knowledge searches: $(sort "$WORK/searches.txt" | uniq -c | tr '\n' ' ')"
echo "round table (c8; the bench client is stopped at the end, so only failures are printed):"
grep -v -E '^\s+at ' "$WORK/round-table.txt" | tail -6
echo "(NMT summary at the end: target/bench-footprint-nmt.txt)"
echo "hub log warnings/errors: $(grep -c -E ' (WARN|ERROR) ' "$WORK/hub.log" || true)"
