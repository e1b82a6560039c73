#!/usr/bin/env python3
"""Figures of bench/tracing-switch.sh runs: python3 bench/tracing-switch-summary.py RUN.json [RUN.json ...]
[--sink SINK.log]. One run: its CPU per delivery by thread group in traced and untraced windows, the difference over
all windows, and each untraced window against the traced windows beside it. Several runs (of one setting): the
windows pooled, for an interval narrower than one run's. With the sink's log: the spans per traced delivery."""
import json, math, statistics, sys

TICK_MS = 10.0  # USER_HZ 100
args = sys.argv[1:]
sink = None
if "--sink" in args:
    sink = args[args.index("--sink") + 1]
    args = args[:args.index("--sink")] + args[args.index("--sink") + 2:]
runs = [json.load(open(f)) for f in args]


def work(w):  # hub CPU per delivery of a window, JIT and export threads left out (export: put on traced deliveries)
    t = w["ticks"]
    return (t["request"] + t["collector"] + t["other"]) * TICK_MS / w["deliveries"]


def export(r):
    return r["export_ticks"] * TICK_MS / r["traced_deliveries"]


def per(ws, g):
    return sum(w["ticks"][g] for w in ws) * TICK_MS / sum(w["deliveries"] for w in ws)


diffs, totals = [], []
for r in runs:
    rows = r["windows"]
    on = [w for w in rows if w["recording"]]
    off = [w for w in rows if not w["recording"]]
    base = sum(work(w) * w["deliveries"] for w in off) / sum(w["deliveries"] for w in off)
    traced = sum(work(w) * w["deliveries"] for w in on) / sum(w["deliveries"] for w in on) + export(r)
    totals.append(100 * (traced - base) / base)
    if len(runs) == 1:
        print(f"{len(on)} traced and {len(off)} untraced windows, "
              f"{statistics.mean(w['deliveries'] / w['seconds'] for w in rows):.0f} deliveries/s; "
              f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms")
        for g in ("request", "collector", "other", "jit"):
            print(f"  {g:9s} ms CPU per delivery: traced {per(on, g):.4f}, untraced {per(off, g):.4f}")
        print(f"  export    ms CPU per traced delivery: {export(r):.4f} (over the whole row and a last untraced window)")
        print(f"all windows: untraced {base:.4f} ms, traced {traced:.4f} ms (export included): {totals[-1]:+.1f}%")
    # each untraced window against the traced windows on both sides of it (neighbouring comparisons share a traced
    # window, so the interval is a guide, not a strict one)
    for i, w in enumerate(rows):
        if not w["recording"]:
            around = (work(rows[i - 1]) + work(rows[i + 1])) / 2 + export(r)
            diffs.append(100 * (around - work(w)) / work(w))
if len(runs) > 1:
    print(f"{len(runs)} runs, all windows: " + ", ".join(f"{t:+.1f}%" for t in totals))
m, s = statistics.mean(diffs), statistics.stdev(diffs)
half = 1.96 * s / math.sqrt(len(diffs))
print(f"untraced window against the traced ones beside it ({len(diffs)}): median {statistics.median(diffs):+.1f}%, "
      f"mean {m:+.1f}% ± {half:.1f}% (95%), spread {min(diffs):+.1f}% … {max(diffs):+.1f}%")
if sink and len(runs) == 1:
    names = [line.split(" ", 2) for line in open(sink) if line.startswith("name ")]
    traced_all = runs[0]["traced_deliveries_with_warmup"]
    spans = sum(int(n[1]) for n in names)
    print(f"spans exported per traced delivery: {spans / traced_all:.2f} ("
          + ", ".join(f"{n[2].strip()} {int(n[1]) / traced_all:.2f}" for n in names[:8]) + ")")
