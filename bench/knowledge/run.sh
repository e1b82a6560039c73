#!/usr/bin/env bash
# Knowledge base benchmark: ingestion rate (chunks/s) and exact top-5 search latency p50/p99 at 1k, 10k and 100k
# chunks on both search paths (in-memory index and SQL), plus the heap and storage the vectors cost.
# Runs against 127.0.0.1 only and stops by itself (a few minutes).
#   bench/knowledge/run.sh [postgres://user@127.0.0.1:5432/scratch_db] [searches per size]
# The database is created if missing and emptied before and after; results go to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/../.."
DB_URL="${1:-postgres://postgres@127.0.0.1:5432/hub_brand_bench}"
SEARCHES="${2:-100}"
case "$DB_URL" in
  *@127.0.0.1*|*@localhost*) ;;
  *) echo "refusing: the benchmark only runs against a local PostgreSQL" >&2; exit 2 ;;
esac
mvn -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
exec java -Xmx1500m -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  com.skyyrose.hub.knowledge.KnowledgeBench "$DB_URL" "$SEARCHES"
