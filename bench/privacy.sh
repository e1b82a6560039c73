#!/usr/bin/env bash
# Privacy masking cost per round (issue 22): the pseudonymisation a round adds (request, three providers' messages,
# restoration, summary) at concurrency 1, without network or database; prints p50/p99 per round after a JIT warm-up.
# Usage: bench/privacy.sh   (env: BENCH_WARMUP rounds before measuring, default 20000; BENCH_ROUNDS, default 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o test -Dtest=PrivacyMaskingBench -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine="-Dbench.warmup=${BENCH_WARMUP:-20000} -Dbench.rounds=${BENCH_ROUNDS:-5000}" >/dev/null
grep -h "PRIVACY-BENCH" target/surefire-reports/com.skyyrose.hub.llm.PrivacyMaskingBench-output.txt
