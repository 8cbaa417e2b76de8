#!/usr/bin/env bash
# Concurrent appends to one dataset on embedded local Spark (issue 23), one run, one JVM: commits
# per second with one writer and with two writers (two Spark sessions) appending at once, races
# lost (commits retried on a newer manifest version), and whether every acknowledged row was read
# back exactly once; Spark's Parquet source with its default commit protocol as the reference.
#
#   bench/run-commit-benchmarks.sh           the measurement (~2-3 min on 2 cores): 30 appends of
#                                            100 rows per writer; appends a section to RESULTS.md
#   bench/run-commit-benchmarks.sh --quick   a smoke run: 5 appends per writer; to
#                                            bench/target/RESULTS-commit-smoke.md
# Settings (environment): JAVA_HOME; ZCS_BENCH_HEAP (2g).
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args -- "$@"
bench_out commit-run

bench_build bench
bench_spark_classpath

if [[ $quick -eq 1 ]]; then
  args=(--appends 5 --rows 100 --dimension 16)
else
  args=(--appends 30 --rows 100 --dimension 16)
fi

bench_machine

log "concurrent appends: ${args[*]}"
"$java" --add-modules jdk.incubator.vector "${spark_opens[@]}" -Xmx"${ZCS_BENCH_HEAP:-2g}" \
  -cp "$spark_cp" io.zerocopy.bench.ConcurrentAppendBenchmark "${args[@]}" --dir "$out/data" \
  > "$out/figures.md" 2> "$out/run.log"
rm -rf "$out/data"

{
  echo "## Concurrent appends: $(machine date)$([[ $quick -eq 1 ]] && echo ' (smoke run)')"
  echo
  echo "Command: \`$command\`; data: Gaussian vectors (the commit path is the point, not the"
  echo "data); machine: $(machine cpu), $(machine cores) cores, $(machine ram); $(machine java);"
  echo "commit $(machine commit). Reference in the same JVM and run: Spark's Parquet source."
  echo
  cat "$out/figures.md"
} > "$out/section.md"
bench_publish RESULTS-commit-smoke.md
