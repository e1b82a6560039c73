#!/usr/bin/env bash
# Embedding throughput (chunks/s) by thread layout: embedding threads x ONNX Runtime threads per run.
#   bench/knowledge/embed.sh [rounds] [chunks per round]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
exec java -Xmx1g -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  com.skyyrose.hub.knowledge.EmbeddingBench "${1:-3}" "${2:-32}"
