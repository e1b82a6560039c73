#!/usr/bin/env bash
# What exporting a span costs (issue 24), apart from the rest of a delivery: bench/OtlpExportCost.java makes
# webhook-delivery-shaped traces at a fixed rate on the jar's own OpenTelemetry SDK and exports them to
# bench/OtlpSink.java, once per HTTP sender (OkHttp, the JDK's HttpClient) and memory mode (IMMUTABLE_DATA,
# REUSABLE_DATA), in rounds that alternate the order; prints CPU per span of the generator, the export threads, the
# collector and the JIT. Loopback only; stops by itself.
# Usage: bench/otlp-export.sh   (env: BENCH_RATE deliveries/s (default 1400, about what bench/webhooks.sh reaches;
#        5 spans each), BENCH_WARMUP (30 s), BENCH_SECONDS (30 s), BENCH_ROUNDS (2), BENCH_SINK_PORT (18432),
#        BENCH_BATCH (512, Spring Boot's default), BENCH_MODES, BENCH_SENDERS)
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${BENCH_RATE:-1400}
WARMUP=${BENCH_WARMUP:-30}
SECONDS_RUN=${BENCH_SECONDS:-30}
ROUNDS=${BENCH_ROUNDS:-2}
PORT=${BENCH_SINK_PORT:-18432}
BATCH=${BENCH_BATCH:-512}
MODES=${BENCH_MODES:-IMMUTABLE_DATA REUSABLE_DATA}
SENDERS=${BENCH_SENDERS:-okhttp jdk}
JAR=target/devskyy-hub.jar
[ -f "$JAR" ] || mvn -B -q -o -DskipTests package
WORK=$(mktemp -d)
java bench/OtlpSink.java "$PORT" >"$WORK/sink.log" 2>&1 &
SINK=$!
trap 'kill $SINK 2>/dev/null || true; rm -rf "$WORK"' EXIT

# the jar's libraries without its HTTP sender, then each sender with what it needs, from the local Maven repository
java -Djarmode=tools -jar "$JAR" extract --destination "$WORK/app" >/dev/null
OTEL=$(ls "$WORK/app/lib" | sed -n 's/^opentelemetry-sdk-trace-\(.*\)\.jar$/\1/p')
mkdir -p "$WORK/common" "$WORK/okhttp" "$WORK/jdk"
find "$WORK/app/lib" -name '*.jar' ! -name 'opentelemetry-exporter-sender-*' ! -name 'okhttp-*' ! -name 'okio-*' \
  ! -name 'kotlin-stdlib-*' -exec cp {} "$WORK/common" \;
fetch() { mvn -B -q -ntp dependency:copy -Dartifact="$1" -DoutputDirectory="$2" >/dev/null; }
fetch "io.opentelemetry:opentelemetry-exporter-sender-okhttp:$OTEL" "$WORK/okhttp"
fetch com.squareup.okhttp3:okhttp:4.12.0 "$WORK/okhttp"
fetch com.squareup.okio:okio-jvm:3.6.0 "$WORK/okhttp"
fetch org.jetbrains.kotlin:kotlin-stdlib:1.9.25 "$WORK/okhttp"
fetch "io.opentelemetry:opentelemetry-exporter-sender-jdk:$OTEL" "$WORK/jdk"
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done

echo "conditions: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ); OpenTelemetry SDK $OTEL;" \
  "$RATE deliveries/s (5 spans each), warm-up ${WARMUP} s, measured ${SECONDS_RUN} s, batch $BATCH; JVM: -Xmx256m, default collector"
run() { # sender mode
  local sent0 sent1
  sent0=$(tail -n1 "$WORK/sink.log" | sed -n 's/.*spans=\([0-9]*\).*/\1/p')
  java -Xmx256m -Dotlp.sender="$1" -cp "$WORK/common/*:$WORK/$1/*" bench/OtlpExportCost.java \
    "http://127.0.0.1:$PORT/v1/traces" "$RATE" "$WARMUP" "$SECONDS_RUN" "$2" "$BATCH"
  sent1=$(tail -n1 "$WORK/sink.log" | sed -n 's/.*spans=\([0-9]*\).*/\1/p')
  echo "  sink received $(( ${sent1:-0} - ${sent0:-0} )) spans, $(tail -n1 "$WORK/sink.log")"
}
for round in $(seq 1 "$ROUNDS"); do
  order="$SENDERS"
  [ $((round % 2)) = 0 ] && order=$(echo "$SENDERS" | tr ' ' '\n' | tac | tr '\n' ' ')
  for sender in $order; do for mode in $MODES; do run "$sender" "$mode"; done; done
done
