#!/usr/bin/env bash
# Spark benchmarks of issue 4 on embedded local Spark (local[*]), one run, one JVM:
#   (e) write throughput (vectors/s, MB/s) of format("vec") vs format("parquet") for the same cached
#       DataFrame: Fashion-MNIST train (60,000 x 784), alternating rounds
#   (f) HNSW build time per shard in a Spark job (VecDatasets.buildIndex, one task per shard) vs the
#       engine's standalone HnswIndex.build on the same shard file with the same threads
#
#   bench/run-spark-benchmarks.sh           the real measurement (~10 min on 2 cores): 60,000 vectors,
#                                           3 write rounds, m 16, efConstruction 200, 2 index rounds
#                                           (the last counts); appends a section to bench/RESULTS.md
#   bench/run-spark-benchmarks.sh --quick   a smoke run (~1-2 min): 10,000 vectors, 1 round,
#                                           efConstruction 64; to bench/target/RESULTS-spark-smoke.md
# Settings (environment): JAVA_HOME; ZCS_BENCH_SHARDS (2); ZCS_BENCH_HEAP (4g); ZCS_CACHE_DIR.
set -euo pipefail

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument '$arg' (expected --quick)" >&2; exit 2 ;;
  esac
done

bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench")
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
shards=${ZCS_BENCH_SHARDS:-2}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$bench/target/spark-run-$stamp
mkdir -p "$out"
command="bench/run-spark-benchmarks.sh${*:+ $*}"
[[ -n "${JAVA_HOME:-}" ]] && command="JAVA_HOME=$JAVA_HOME $command"
log() { echo "== $*" >&2; }

log "build (connector jar, Spark class path, bench classes)"
(cd "$root" && mvn -B -q -DskipTests -Dspotless.apply.skip=true -Dspotless.check.skip=true -pl bench -am package)
[[ -d /usr/share/datasets/fashion-mnist ]] || "$root/scripts/install-data.sh"
connector=$(ls "$root"/spark-connector/target/zero-copy-search-spark-*.jar | grep -v original- | head -1)
# SparkWriteBenchmark reuses FashionMnistJob (examples) and FashionMnist (datasets)
examples=$(ls "$root"/examples/target/zero-copy-search-examples-*.jar | head -1)
datasets=$(ls "$root"/datasets/target/zero-copy-search-datasets-*.jar | head -1)
classpath="$bench/target/classes:$examples:$datasets:$connector:$(cat "$root/spark-connector/target/spark-classpath.txt")"

if [[ $quick -eq 1 ]]; then
  args=(--train 10000 --rounds 1 --index-rounds 1 --shards "$shards" --m 16 --ef-construction 64)
else
  args=(--train 60000 --rounds 3 --index-rounds 2 --shards "$shards" --m 16 --ef-construction 200)
fi

{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (+ local changes)')"
  echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "cores=$(nproc)"
  echo "ram=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "java=$("$java" -version 2>&1 | sed -n 2p)"
} > "$out/machine.txt"

# shellcheck source=../scripts/spark-jvm-options.sh
source "$root/scripts/spark-jvm-options.sh"

log "(e) vec vs parquet writes, (f) index build per shard: ${args[*]}"
"$java" --add-modules jdk.incubator.vector "${spark_opens[@]}" -Xmx"${ZCS_BENCH_HEAP:-4g}" \
  -cp "$classpath" io.zerocopy.bench.SparkWriteBenchmark "${args[@]}" --dir "$out/data" \
  > "$out/figures.md" 2> "$out/run.log"
rm -rf "$out/data"

{
  echo "## Spark: $(sed -n 's/^date=//p' "$out/machine.txt")$([[ $quick -eq 1 ]] && echo ' (smoke run)')"
  echo
  echo "Command: \`$command\`; data: Fashion-MNIST train; machine: $(sed -n 's/^cpu=//p' "$out/machine.txt"),"
  echo "$(sed -n 's/^cores=//p' "$out/machine.txt") cores, $(sed -n 's/^ram=//p' "$out/machine.txt"); $(sed -n 's/^java=//p' "$out/machine.txt"); commit $(sed -n 's/^commit=//p' "$out/machine.txt")."
  echo "Competitors in the same JVM and run: Spark's own parquet writer (e), the engine's standalone build (f)."
  echo
  cat "$out/figures.md"
} > "$out/section.md"
if [[ $quick -eq 1 ]]; then
  { echo; cat "$out/section.md"; } >> "$bench/target/RESULTS-spark-smoke.md"
  log "smoke run: NOT appended to bench/RESULTS.md; see $bench/target/RESULTS-spark-smoke.md"
else
  { echo; cat "$out/section.md"; } >> "$bench/RESULTS.md"
  log "appended to bench/RESULTS.md"
fi
cat "$out/section.md"
