#!/usr/bin/env bash
# What tracing costs a webhook delivery: bench/webhooks.sh with tracing off and on, same jar (on: sampled at 100%,
# every span exported over OTLP/HTTP to a local sink that accepts and discards them), and the hub's CPU per delivery
# of each. Each run starts on an empty database; odd rounds run off first, even rounds on first.
# Loopback only; stops by itself. Env: as bench/webhooks.sh (BENCH_SECONDS, ...), BENCH_SINK_PORT (default 18431),
# BENCH_ROUNDS (default 1: off, on; 2: off, on, on, off; ...).
set -euo pipefail
cd "$(dirname "$0")/.."
SINK_PORT=${BENCH_SINK_PORT:-18431}
ROUNDS=${BENCH_ROUNDS:-1}
OUT=bench/results
mkdir -p "$OUT"

# the OTLP sink (bench/OtlpSink.java): answers 200 to every export and counts the batches, bytes and spans it got
# (spans the hub dropped, e.g. from a full export queue, would show as fewer spans per delivery)
java bench/OtlpSink.java "$SINK_PORT" >"$OUT/otlp-sink.log" 2>&1 &
SINK=$!
trap 'kill $SINK 2>/dev/null || true' EXIT

echo "conditions: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
# each run on a database of its own, made empty (unless BENCH_DATABASE_URL names one): the event table's growth from
# run to run would favour whichever side runs first; rounds alternate which side goes first
fresh_db() {
  if [ -z "${BENCH_DATABASE_URL:-}" ]; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS hub_tracing WITH (FORCE)" -c "CREATE DATABASE hub_tracing"
    echo "postgres://postgres@127.0.0.1:5432/hub_tracing"
  else
    echo "$BENCH_DATABASE_URL"
  fi
}
run_off() { BENCH_DATABASE_URL=$(fresh_db) bench/webhooks.sh | tail -n1; }
run_on() { BENCH_DATABASE_URL=$(fresh_db) BENCH_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT" bench/webhooks.sh | tail -n1; }
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then OFF=$(run_off); ON=$(run_on); else ON=$(run_on); OFF=$(run_off); fi
  echo "round $round ($([ $((round % 2)) = 1 ] && echo 'off first' || echo 'on first'))"
  python3 - "$OFF" "$ON" "$(tail -n1 "$OUT/otlp-sink.log")" <<'PY'
import json, sys
off, on, sink = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
a, b = off["hub_cpu_ms_per_delivery"], on["hub_cpu_ms_per_delivery"]
print(f"tracing off: {a:.3f} ms hub CPU per delivery, {off['intake']['accepted_per_s']:.0f} deliveries/s, p50 {off['intake']['p50_ms']} ms")
print(f"tracing on : {b:.3f} ms hub CPU per delivery, {on['intake']['accepted_per_s']:.0f} deliveries/s, p50 {on['intake']['p50_ms']} ms  (sink: {sink})")
print(f"worker drain: {off['drain_per_s']}/s off, {on['drain_per_s']}/s on")
print(f"tracing adds {100 * (b - a) / a:+.1f}% hub CPU per delivery (warm-up and JIT included)")
oi, ni = off["intake"], on["intake"]
if "hub_cpu_ms_per_delivery_measured" in oi and "hub_cpu_ms_per_delivery_measured" in ni:
    a2 = oi["hub_cpu_ms_per_delivery_measured"] - oi["hub_jit_cpu_ms_per_delivery_measured"]
    b2 = ni["hub_cpu_ms_per_delivery_measured"] - ni["hub_jit_cpu_ms_per_delivery_measured"]
    print(f"measured window only, JIT compiler threads excluded: off {a2:.3f} ms (JIT {oi['hub_jit_cpu_ms_per_delivery_measured']:.3f}), "
          f"on {b2:.3f} ms (JIT {ni['hub_jit_cpu_ms_per_delivery_measured']:.3f}) -> tracing adds {100 * (b2 - a2) / a2:+.1f}%")
PY
done
