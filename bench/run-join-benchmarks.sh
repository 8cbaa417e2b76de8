#!/usr/bin/env bash
# The batch kNN join benchmark (issue 5): in one local[2] Spark run on Fashion-MNIST, the time and
# recall@10 of our APPROX NEAREST, our knnJoin (replicated and partitioned) and Spark 4.2's own
# APPROX NEAREST (nested-loop join + min_by, on a Parquet copy of the same items), and Spark MLlib's
# BucketedRandomProjectionLSH.approxSimilarityJoin (tuned to recall@10 >= 0.9), k = 10.
#
#   bench/run-join-benchmarks.sh [--queries N]   the real measurement: 60,000 items in 4 shards;
#                                                appends a section to bench/RESULTS.md. Pick N so
#                                                that Spark's own plan finishes (default 200).
#   bench/run-join-benchmarks.sh --quick         a smoke run: 10,000 items in 2 shards, 20 queries;
#                                                results go to bench/target/RESULTS-join-smoke.md
# Settings (environment): JAVA_HOME; ZCS_BENCH_XMX (4g); ZCS_JOIN_EF (64); ZCS_CACHE_DIR (the
# vec dataset, its indexes and the Parquet copy are cached under it, in spark-join-bench/).
# The main class is in the bench module (io.zerocopy.bench.join); Spark, the connector and MLlib are
# provided there, so the JMH jar carries none of them: this script puts them on the class path.
set -euo pipefail

queries=200
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args --queries:queries -- "$@"
items=60000 shards=4 efc=200
if [[ $quick -eq 1 ]]; then
  items=10000 shards=2 efc=100 queries=20
fi
ef=${ZCS_JOIN_EF:-64}
cache=${ZCS_CACHE_DIR:-$HOME/.cache/zero-copy-search}/spark-join-bench
bench_out join
mkdir -p "$cache"

bench_build bench
bench_spark_classpath
cp=$spark_cp
# MLlib for the LSH baseline: spark-mllib 4.2.0 is not served by Maven here, but the pyspark 4.2.0
# distribution carries it (and breeze); same Spark version as the Maven artifacts above
"$root/scripts/python-env.sh"
pyspark_jars=$("$root/.venv/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')/jars
for jar in spark-mllib_2.13 spark-mllib-local_2.13 breeze_2.13 breeze-macros_2.13 spire_2.13 \
    spire-macros_2.13 spire-platform_2.13 spire-util_2.13 algebra_2.13 cats-kernel_2.13 \
    arpack blas lapack arpack_combined_all; do
  cp="$cp:$(ls "$pyspark_jars"/$jar-[0-9]*.jar | head -1)"
done

[[ -d /usr/share/datasets/fashion-mnist ]] || "$root/scripts/install-data.sh"

bench_machine
log "run: $items items, $shards shards, $queries queries"
"$java" -Xmx"${ZCS_BENCH_XMX:-4g}" --add-modules jdk.incubator.vector "${spark_opens[@]}" \
  -cp "$cp" io.zerocopy.bench.join.JoinBenchmark \
  "$items" "$queries" "$shards" "$efc" "$ef" "$cache" "$out/table.md" lsh 2> >(grep -E '^== |Exception|Error' >&2)

{
  echo "## Batch kNN join, $(date -u +%Y-%m-%d) ($stamp)"
  echo
  echo "Command: \`$command\` (queries: $queries); commit $(machine commit). Machine: $(machine cpu),"
  echo "$(machine cores) cores, $(machine ram) RAM, $(machine java)."
  echo
  cat "$out/table.md"
} > "$out/section.md"

bench_publish RESULTS-join-smoke.md
