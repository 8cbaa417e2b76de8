#!/usr/bin/env bash
# Search threads per join task (issue 26), one run, one JVM: a kNN join on local[4] (four tasks at
# once) with every task searching on all cores (the old behaviour) against one thread per task
# slot (spark.task.cpus, the new default); wall time, the busiest moment of pooled search workers,
# and the JVM's peak thread count.
#
#   bench/run-thread-benchmarks.sh           the measurement (~2-3 min on 2 cores): 40,000 items,
#                                            8,000 queries, 3 rounds; appends to bench/RESULTS.md
#   bench/run-thread-benchmarks.sh --quick   a smoke run: 5,000 items, 1,000 queries, 1 round; to
#                                            bench/target/RESULTS-threads-smoke.md
# Settings (environment): JAVA_HOME; ZCS_BENCH_HEAP (3g).
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args -- "$@"
bench_out threads-run

bench_build bench
bench_spark_classpath

if [[ $quick -eq 1 ]]; then
  args=(--items 5000 --queries 1000 --rounds 1)
else
  args=(--items 40000 --queries 8000 --rounds 3)
fi

bench_machine

log "search threads: ${args[*]}"
"$java" --add-modules jdk.incubator.vector "${spark_opens[@]}" -Xmx"${ZCS_BENCH_HEAP:-3g}" \
  -cp "$spark_cp" io.zerocopy.bench.join.SearchThreadsBenchmark "${args[@]}" --dir "$out/data" \
  > "$out/figures.md" 2> "$out/run.log"
rm -rf "$out/data"

{
  echo "## Search threads per join task: $(machine date)$([[ $quick -eq 1 ]] && echo ' (smoke run)')"
  echo
  echo "Command: \`$command\`; data: Gaussian mixture (32 centres); machine: $(machine cpu),"
  echo "$(machine cores) cores, $(machine ram); $(machine java); commit $(machine commit)."
  echo "Both settings in the same JVM and run, alternating (the old one forced by spark.zerocopy.search.threads)."
  echo
  cat "$out/figures.md"
} > "$out/section.md"
bench_publish RESULTS-threads-smoke.md
