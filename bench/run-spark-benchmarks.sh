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

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args -- "$@"
shards=${ZCS_BENCH_SHARDS:-2}
bench_out spark-run

bench_build bench
[[ -d /usr/share/datasets/fashion-mnist ]] || "$root/scripts/install-data.sh"
# SparkWriteBenchmark reuses FashionMnistJob (examples) and FashionMnist (datasets)
bench_spark_classpath

if [[ $quick -eq 1 ]]; then
  args=(--train 10000 --rounds 1 --index-rounds 1 --shards "$shards" --m 16 --ef-construction 64)
else
  args=(--train 60000 --rounds 3 --index-rounds 2 --shards "$shards" --m 16 --ef-construction 200)
fi

bench_machine

log "(e) vec vs parquet writes, (f) index build per shard: ${args[*]}"
"$java" --add-modules jdk.incubator.vector "${spark_opens[@]}" -Xmx"${ZCS_BENCH_HEAP:-4g}" \
  -cp "$spark_cp" io.zerocopy.bench.SparkWriteBenchmark "${args[@]}" --dir "$out/data" \
  > "$out/figures.md" 2> "$out/run.log"
rm -rf "$out/data"

{
  echo "## Spark: $(machine date)$([[ $quick -eq 1 ]] && echo ' (smoke run)')"
  echo
  echo "Command: \`$command\`; data: Fashion-MNIST train; machine: $(machine cpu),"
  echo "$(machine cores) cores, $(machine ram); $(machine java); commit $(machine commit)."
  echo "Competitors in the same JVM and run: Spark's own parquet writer (e), the engine's standalone build (f)."
  echo
  cat "$out/figures.md"
} > "$out/section.md"
bench_publish RESULTS-spark-smoke.md
