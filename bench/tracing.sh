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

# the OTLP sink: answers 200 to every export and counts the bytes and spans it got (spans the hub dropped, e.g. from a
# full export queue, would show as fewer spans per delivery)
python3 - "$SINK_PORT" >"$OUT/otlp-sink.log" 2>&1 <<'PY' &
import sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
received = [0, 0, 0]
lock = threading.Lock()
def varint(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1; r |= (x & 0x7f) << s; s += 7
        if x < 0x80: return r, i
def fields(b):  # (field number, bytes) of the length-delimited fields of a protobuf message
    i = 0
    while i < len(b):
        k, i = varint(b, i); t = k & 7
        if t == 0: _, i = varint(b, i); continue
        if t == 1: i += 8; continue
        if t == 5: i += 4; continue
        n, i = varint(b, i); yield k >> 3, b[i:i + n]; i += n
def spans(body):  # ExportTraceServiceRequest.resource_spans(1).scope_spans(2).spans(2)
    return sum(1 for f, rs in fields(body) if f == 1 for g, ss in fields(rs) if g == 2 for h, _ in fields(ss) if h == 2)
class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get('Content-Length', 0))
        body = self.rfile.read(n)
        count = spans(body)
        with lock:
            received[0] += 1; received[1] += n; received[2] += count
            line = f"batches={received[0]} bytes={received[1]} spans={received[2]}"
        self.send_response(200); self.send_header('Content-Type', 'application/x-protobuf')
        self.send_header('Content-Length', '0'); self.end_headers()
        print(line, flush=True)
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
