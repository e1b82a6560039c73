#!/usr/bin/env bash
# Start-up benchmark (issue 21): time from launch to /health/ready = 200 for the production jar (-Pproduction) in
# external, production mode (the machine's PostgreSQL and Redis) with the Dockerfile's JVM options and memory
# environment on a simulated 512 MB container (-XX:MaxRAM=512m), three ways:
#   fat jar    java -jar target/devskyy-hub.jar (nested jars, what `java -jar` gives)
#   extracted  the layout the Docker image runs (`java -Djarmode=tools -jar ... extract`: the jar + lib/), no archive
#   CDS        the same with the AppCDS archive of a training run (-XX:ArchiveClassesAtExit with
#              -Dspring.context.exit=onRefresh: the context starts, then the JVM exits and writes the archive)
# Each is started BENCH_STARTS times (default 3) on an already migrated database (the training run migrates it, as
# any earlier deploy would have); every time and the median are printed, with RSS once ready. Then, if wrk is
# installed, RSS after [wrk-seconds] (default 60) of wrk on /health with the archive.
# Usage: bench/startup-and-memory.sh [wrk-seconds]   (env: BENCH_DATABASE_URL (default: fresh database
#        hub_startup on 127.0.0.1), BENCH_REDIS_URL, BENCH_STARTS, BENCH_PORT, BENCH_JAVA_OPTS (replaces the
#        Dockerfile's options))
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=target/devskyy-hub.jar
WRK_SECONDS=${1:-60}
STARTS=${BENCH_STARTS:-3}
PORT=${BENCH_PORT:-18080}
REDIS=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/0}
. bench/lib/production.sh
bench_database hub_startup
production_jar "$JAR"
if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then echo "port $PORT is in use; set BENCH_PORT"; exit 1; fi
# the options and memory environment the Docker image runs with (as bench/footprint.sh)
DOCKER_OPTS=$(sed -n 's/.*JAVA_TOOL_OPTIONS="\([^"]*\)".*/\1/p' Dockerfile)
JAVA_OPTS="${BENCH_JAVA_OPTS:-$DOCKER_OPTS} -XX:MaxRAM=512m"
DOCKER_ENV=$(awk '/^FROM /{ s = "" } !/^ *#/{ s = s $0 "\n" } END { printf "%s", s }' Dockerfile | grep -oE '(HUB_[A-Z_]+|MALLOC_[A-Z_]+)=[0-9]+' | tr '\n' ' ')
WORK=$(mktemp -d)
trap '[ -n "${HUB_PID:-}" ] && kill "$HUB_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
MASTER_KEY=$(head -c 32 /dev/urandom | base64)

rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
# CPU seconds (user + system, all threads) the process has used: on a shared machine the wall time mostly measures
# the other work, the CPU time much less so
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat"; }
# the hub's environment (a plain `env ... java ... &`, so $! is the JVM's PID)
HUB_ENV_VARS=($DOCKER_ENV HUB_ENV=production HUB_MASTER_KEY="$MASTER_KEY" DATABASE_URL="$DB_URL" REDIS_URL="$REDIS"
  PORT="$PORT" HUB_DATA_DIR="$WORK/data" HUB_ROUTES_DIR=routes HUB_ROUTES_RELOAD=false HUB_LOG_FORMAT=text)

# launch (java arguments), wait for readiness; seconds in $READY_S, CPU seconds used by then in $READY_CPU, PID in $HUB_PID
launch() {
  local start
  start=$(date +%s.%N)
  env "${HUB_ENV_VARS[@]}" java $JAVA_OPTS "$@" >"$WORK/hub.log" 2>&1 &
  HUB_PID=$!
  for _ in $(seq 1 3000); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health/ready")" = 200 ]; then
      READY_S=$(echo "$(date +%s.%N) - $start" | bc); READY_CPU=$(cpu_s "$HUB_PID"); return 0
    fi
    kill -0 "$HUB_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "hub did not become ready; log:" >&2; tail -50 "$WORK/hub.log" >&2; exit 1
}
stop() { kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true; HUB_PID=; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# starts a way $STARTS times: label, then the java arguments
measure() {
  local label=$1 times="" cpus="" rss=""
  shift
  for _ in $(seq 1 "$STARTS"); do
    launch "$@"; times="$times $(printf '%.2f' "$READY_S")"; cpus="$cpus $READY_CPU"; rss="$rss $(rss_mb "$HUB_PID")"
    stop
  done
  printf '%-10s launch -> ready median %6s s, CPU to ready median %5s s  (runs:%s s; CPU:%s s; RSS once ready:%s MB)\n' \
    "$label" "$(echo "$times" | median)" "$(echo "$cpus" | median)" "$times" "$cpus" "$rss"
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (shared: figures include other work)"
echo "production jar, external mode ($DB_URL, $REDIS); JVM options: $JAVA_OPTS; environment: $DOCKER_ENV"
java -Djarmode=tools -jar "$JAR" extract --destination "$WORK/app" >/dev/null
APP=$WORK/app/devskyy-hub.jar
# training run (as the Dockerfile's): migrates the database, starts the hub and writes the archive at exit. "ready"
# (default): waits for /health/ready, calls a few operations, stops it with SIGTERM; "refresh": Spring's
# -Dspring.context.exit=onRefresh (exits as soon as the context is refreshed, before Tomcat and Camel start)
TRAINING=${BENCH_CDS_TRAINING:-ready}
t0=$(date +%s.%N)
if [ "$TRAINING" = refresh ]; then
  env "${HUB_ENV_VARS[@]}" java $JAVA_OPTS -XX:ArchiveClassesAtExit="$WORK/app/hub.jsa" -Dspring.context.exit=onRefresh -jar "$APP" \
    >"$WORK/training.log" 2>&1 || true
else
  launch -XX:ArchiveClassesAtExit="$WORK/app/hub.jsa" -jar "$APP"
  for path in /health/live /health/ready /openapi.json /api/v1/agents /nope; do curl -s -o /dev/null "http://127.0.0.1:$PORT$path"; done
  stop
fi
[ -s "$WORK/app/hub.jsa" ] || { echo "the training run wrote no archive:"; tail -n 30 "$WORK/training.log" "$WORK/hub.log" 2>/dev/null; exit 1; }
echo "training run ($TRAINING; first start, migrates the database): $(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)") s, archive $(( $(stat -c %s "$WORK/app/hub.jsa") / 1048576 )) MB"

measure "fat jar" -jar "$JAR"
measure "extracted" -jar "$APP"
measure "CDS" -XX:SharedArchiveFile="$WORK/app/hub.jsa" -jar "$APP"
# a JVM that cannot use the archive says so and starts without it: show that, so a fast figure is not mistaken
grep -i -E "shared (archive|class)|cds" "$WORK/hub.log" | head -3 || true
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

if command -v wrk >/dev/null; then
  launch -XX:SharedArchiveFile="$WORK/app/hub.jsa" -jar "$APP"
  echo "RSS after start (CDS): $(rss_mb "$HUB_PID") MB"
  wrk -t2 -c32 -d"${WRK_SECONDS}s" --latency "http://127.0.0.1:$PORT/health" | sed -n '1,20p'
  echo "RSS after ${WRK_SECONDS}s of wrk on /health: $(rss_mb "$HUB_PID") MB"
  stop
else
  echo "(wrk is not installed: no RSS under wrk; apt-get install wrk)"
fi
