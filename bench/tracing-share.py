#!/usr/bin/env python3
"""What share of the hub's CPU samples is tracing code, by thread group (issue 24), from a JFR recording of a traced
bench/webhooks.sh run's measured window. A comparison of two runs moves by ±10-20% on 2 shared cores; the share
inside one run does not depend on the other run's luck. Record (the window starts after start-up + warm-up):
  BENCH_RATE=1000 BENCH_WARMUP=90 BENCH_SECONDS=45 BENCH_OTLP_ENDPOINT=http://127.0.0.1:18431 \
  BENCH_JAVA_OPTS=-XX:StartFlightRecording=delay=105s,duration=30s,settings=profile,filename=/tmp/hub.jfr \
  bench/webhooks.sh        (with bench/OtlpSink.java listening on 18431)

A sample counts as tracing when the first frame above the JDK's own (java.*, jdk.*, sun.*) belongs to OpenTelemetry,
Micrometer tracing, the hub's observability package or Lettuce's tracing: the code that makes, ends, queues, exports
or propagates spans, with the JDK calls it makes. Work that a span merely wraps (the bean a step span times) is not
counted. Samples come from JFR's method sampler (jdk.ExecutionSample, Java code only: the collector and the JIT
compiler threads are not in it).

Usage: bench/tracing-share.py RECORDING.jfr
"""
import re
import subprocess
import sys
from collections import Counter

TRACING = ("io.opentelemetry.", "io.micrometer.tracing.", "com.skyyrose.hub.observability.",
           "io.lettuce.core.tracing.")
JDK = ("java.", "jdk.", "sun.", "javax.", "com.sun.")


def group(thread):
    if thread.startswith("http-nio-"):
        return "request"
    if thread.startswith(("BatchSpanProcessor", "OkHttp", "okhttp")):
        return "export"
    return "other"


def samples(path):
    text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", path],
                          check=True, capture_output=True, text=True).stdout
    for event in text.split("jdk.ExecutionSample {")[1:]:
        thread = re.search(r'sampledThread = "([^"]*)"', event)
        frames = re.findall(r"^\s+([\w$.<>]+)\(", event.split("stackTrace = [", 1)[-1], re.M)
        yield (thread.group(1) if thread else "?"), frames


def main():
    total, tracing, where = Counter(), Counter(), Counter()
    for thread, frames in samples(sys.argv[1]):
        g = group(thread)
        total[g] += 1
        first = next((f for f in frames if not f.startswith(JDK)), None)
        if first and first.startswith(TRACING):
            tracing[g] += 1
            where[(g, first.rsplit(".", 1)[0])] += 1
    for g in ("request", "other", "export"):
        if total[g]:
            print(f"{g:8} {total[g]:6} samples, {tracing[g]:5} in tracing code ({100 * tracing[g] / total[g]:.1f}%)")
    all_samples = sum(total.values())
    print(f"all      {all_samples:6} samples, {sum(tracing.values()):5} in tracing code "
          f"({100 * sum(tracing.values()) / max(1, all_samples):.1f}%)")
    for g in ("request", "other", "export"):
        top = [(k[1], v) for k, v in where.most_common() if k[0] == g][:6]
        if top:
            print(f"{g} threads' tracing samples by class: " + ", ".join(f"{c} {v}" for c, v in top))


if __name__ == "__main__":
    main()
