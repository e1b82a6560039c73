#!/usr/bin/env bash
# SuperAgent run latency (issue 6): Marketing agent over HTTP with three 300 ms LLM provider fakes and one read-only
# WooCommerce tool (fake), concurrency 1 and 8; prints p50/p99 and the hub's share. Loopback only.
# Usage: bench/agents.sh   (env: BENCH_DATABASE_URL, BENCH_REDIS_URL)
set -euo pipefail
cd "$(dirname "$0")/.."
export HUB_TEST_DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
export HUB_TEST_REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/0}
mvn -B -q test -Dtest=AgentLatencyBench -Dsurefire.failIfNoSpecifiedTests=false >/dev/null
grep -h "AGENT-LATENCY" target/surefire-reports/com.skyyrose.hub.agents.AgentLatencyBench-output.txt
