#!/usr/bin/env bash
# What tracing costs a webhook delivery: bench/webhooks.sh with tracing off and on, same jar (on: sampled at 100%,
# every span exported over OTLP/HTTP to a local sink that accepts and discards them), and the hub's CPU per delivery
# of each over the measured window, with the JIT compiler threads left out and split by thread (request, export,
# collector, other). The senders keep a fixed rate (BENCH_RATE, default 1000 deliveries/s, below what the 2 cores
# reach either way), so both sides do the same work per second and CPU per delivery is not moved by how saturated the
# machine was; BENCH_RATE=0 sends as fast as it can (the figures then swing by tens of percent from run to run). Each
# run starts on an empty database; odd rounds run off first, even rounds on first; the median over the rounds ends it.
# Loopback only; stops by itself. Env: as bench/webhooks.sh (BENCH_SECONDS, BENCH_WARMUP, ...), BENCH_RATE,
# BENCH_SINK_PORT (default 18431), BENCH_ROUNDS (default 3: off, on; on, off; off, on).
set -euo pipefail
cd "$(dirname "$0")/.."
SINK_PORT=${BENCH_SINK_PORT:-18431}
ROUNDS=${BENCH_ROUNDS:-3}
export BENCH_RATE=${BENCH_RATE-1000}
[ "$BENCH_RATE" = 0 ] && BENCH_RATE=
OUT=bench/results
mkdir -p "$OUT"
if curl -s -o /dev/null "http://127.0.0.1:$SINK_PORT/"; then echo "port $SINK_PORT is in use; set BENCH_SINK_PORT"; exit 1; fi

# the OTLP sink (bench/OtlpSink.java): answers 200 to every export and counts the batches, bytes and spans it got
# (spans the hub dropped, e.g. from a full export queue, would show as fewer spans per delivery)
java bench/OtlpSink.java "$SINK_PORT" >"$OUT/otlp-sink.log" 2>&1 &
SINK=$!
trap 'kill $SINK 2>/dev/null || true' EXIT

echo "conditions: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ);" \
  "rate ${BENCH_RATE:-as fast as possible}/s, warm-up ${BENCH_WARMUP:-40} s, measured ${BENCH_SECONDS:-30} s"
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
RESULTS=$OUT/tracing-$(date +%Y%m%dT%H%M%S).jsonl
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then OFF=$(run_off); ON=$(run_on); else ON=$(run_on); OFF=$(run_off); fi
  echo "{\"round\":$round,\"off\":$OFF,\"on\":$ON,\"sink\":\"$(tail -n1 "$OUT/otlp-sink.log")\"}" >>"$RESULTS"
  python3 - "$RESULTS" <<'PY'
import json, sys
r = [json.loads(line) for line in open(sys.argv[1])][-1]
off, on = r["off"], r["on"]
print(f"round {r['round']} ({'off' if r['round'] % 2 else 'on'} first)")
for label, x in (("off", off), ("on ", on)):
    i = x["intake"]
    print(f"  tracing {label}: {i['accepted_per_s']:.0f} deliveries/s, p50 {i['p50_ms']} ms, p99 {i['p99_ms']} ms; whole run "
          f"{x['hub_cpu_ms_per_delivery']:.3f} ms hub CPU per delivery; measured window, JIT left out "
          f"{i['hub_cpu_ms_per_delivery_measured'] - i['hub_jit_cpu_ms_per_delivery_measured']:.3f} ms "
          f"(JIT {i['hub_jit_cpu_ms_per_delivery_measured']:.3f}); by thread "
          + ", ".join(f"{k} {v:.3f}" for k, v in i["hub_cpu_ms_per_delivery_by_thread"].items()))
print(f"  worker drain: {off['drain_per_s']}/s off, {on['drain_per_s']}/s on; sink: {r['sink']}")
PY
done
# the median over the rounds: of the whole difference, and of each thread group's share of it; the spans a delivery
# made, by name (the sink prints them when it stops)
kill "$SINK"; wait "$SINK" 2>/dev/null || true
python3 - "$RESULTS" "$OUT/otlp-sink.log" <<'PY'
import json, statistics, sys
rounds = [json.loads(line) for line in open(sys.argv[1])]
traced = sum(r["on"]["intake"]["accepted_total"] for r in rounds)
names = [line.split(" ", 2) for line in open(sys.argv[2]) if line.startswith("name ")]
print(f"spans per traced delivery, intake and worker: {sum(int(n[1]) for n in names) / traced:.2f} ("
      + ", ".join(f"{n[2].strip()} {int(n[1]) / traced:.2f}" for n in names[:8]) + ")")
def window(x):
    i = x["intake"]
    return i["hub_cpu_ms_per_delivery_measured"] - i["hub_jit_cpu_ms_per_delivery_measured"]
adds = [100 * (window(r["on"]) - window(r["off"])) / window(r["off"]) for r in rounds]
print(f"tracing adds, measured window without the JIT, per round: " + ", ".join(f"{a:+.1f}%" for a in adds)
      + f"; median {statistics.median(adds):+.1f}%")
groups = rounds[0]["off"]["intake"]["hub_cpu_ms_per_delivery_by_thread"].keys()
parts = []
for g in groups:
    if g == "jit":
        continue
    d = [100 * (r["on"]["intake"]["hub_cpu_ms_per_delivery_by_thread"][g]
                - r["off"]["intake"]["hub_cpu_ms_per_delivery_by_thread"][g]) / window(r["off"]) for r in rounds]
    parts.append(f"{g} {statistics.median(d):+.1f}%")
print("median share by thread group (of the untraced delivery's CPU): " + ", ".join(parts))
print("whole runs (warm-up and JIT included): " + ", ".join(
    f"{100 * (r['on']['hub_cpu_ms_per_delivery'] - r['off']['hub_cpu_ms_per_delivery']) / r['off']['hub_cpu_ms_per_delivery']:+.1f}%"
    for r in rounds))
PY
