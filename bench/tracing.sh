#!/usr/bin/env bash
# What tracing costs a webhook delivery: bench/webhooks.sh twice on the same jar and database, tracing off, then on
# (sampled at 100%, every span exported over OTLP/HTTP to a local sink that accepts and discards them), and the hub's
# CPU per delivery of each. Loopback only; stops by itself. Env: as bench/webhooks.sh (BENCH_SECONDS, ...),
# BENCH_SINK_PORT (default 18431), BENCH_ROUNDS (default 1: off, on; 2: off, on, off, on).
set -euo pipefail
cd "$(dirname "$0")/.."
SINK_PORT=${BENCH_SINK_PORT:-18431}
ROUNDS=${BENCH_ROUNDS:-1}
OUT=bench/results
mkdir -p "$OUT"

# the OTLP sink: answers 200 to every export and counts the bytes it got
python3 - "$SINK_PORT" >"$OUT/otlp-sink.log" 2>&1 <<'PY' &
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
received = [0, 0]
class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get('Content-Length', 0))
        self.rfile.read(n)
        received[0] += 1; received[1] += n
        self.send_response(200); self.send_header('Content-Type', 'application/x-protobuf')
        self.send_header('Content-Length', '0'); self.end_headers()
        print(f"batches={received[0]} bytes={received[1]}", flush=True)
    def log_message(self, *args):
        pass
ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), Sink).serve_forever()
PY
SINK=$!
trap 'kill $SINK 2>/dev/null || true' EXIT

echo "conditions: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
for round in $(seq 1 "$ROUNDS"); do
  OFF=$(bench/webhooks.sh | tail -n1)
  ON=$(BENCH_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT" bench/webhooks.sh | tail -n1)
  python3 - "$OFF" "$ON" "$(tail -n1 "$OUT/otlp-sink.log")" <<'PY'
import json, sys
off, on, sink = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
a, b = off["hub_cpu_ms_per_delivery"], on["hub_cpu_ms_per_delivery"]
print(f"tracing off: {a:.3f} ms hub CPU per delivery, {off['intake']['accepted_per_s']:.0f} deliveries/s, p50 {off['intake']['p50_ms']} ms")
print(f"tracing on : {b:.3f} ms hub CPU per delivery, {on['intake']['accepted_per_s']:.0f} deliveries/s, p50 {on['intake']['p50_ms']} ms  (sink: {sink})")
print(f"worker drain: {off['drain_per_s']}/s off, {on['drain_per_s']}/s on")
print(f"tracing adds {100 * (b - a) / a:+.1f}% hub CPU per delivery")
PY
done
