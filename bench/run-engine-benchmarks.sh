#!/usr/bin/env bash
# Runs every engine benchmark on the current JAVA_HOME (or the java on PATH) and appends a dated
# section of figures and ratios to bench/RESULTS.md:
#   (a) SIMD vs scalar kernels        JMH KernelBenchmark
#   (b) single-query search vs scan   JMH ExactSearchBenchmark, GB/s
#   (c) batch search vs numpy         JMH BatchSearchBenchmark + python/numpy_batch.py, same run
#   (d) larger-than-RAM exact search  LargerThanRam with -Xmx1g; the generated file is deleted
#
#   bench/run-engine-benchmarks.sh           the real measurement (~40 min + writing 32 GiB)
#   bench/run-engine-benchmarks.sh --quick   a smoke run: tiny iterations, a 1 GiB file, results
#                                            go to bench/target/RESULTS-smoke.md, never RESULTS.md
# Settings (environment): JAVA_HOME; ZCS_BENCH_THREADS (2); ZCS_LTR_GIB (32, --quick 1);
# ZCS_LTR_DIR (bench/target/larger-than-ram: needs that much free disk); ZCS_CACHE_DIR.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args -- "$@"
threads=${ZCS_BENCH_THREADS:-2}
ltr_gib=${ZCS_LTR_GIB:-32}
ltr_dir=${ZCS_LTR_DIR:-$bench/target/larger-than-ram}
if [[ $quick -eq 1 ]]; then
  ltr_gib=${ZCS_LTR_GIB:-1}
fi
bench_out run

cleanup() {
  # the generated larger-than-RAM files, whatever happened
  rm -f "$ltr_dir"/larger-than-ram-*.vec "$ltr_dir"/.larger-than-ram-*.tmp \
    "$ltr_dir"/warm-up-*.vec "$ltr_dir"/.warm-up-*.tmp 2>/dev/null || true
}
trap cleanup EXIT

bench_build bench

log "data: Fashion-MNIST"
bench_fashion_mnist

log "numpy venv (bench/.venv, bench/python/requirements.txt)"
venv=$bench/.venv
if ! "$venv/bin/python" -c 'import numpy; assert numpy.__version__ == "2.3.5"' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$bench/python/requirements.txt"
fi

bench_machine "numpy=$("$venv/bin/python" -c 'import numpy; print(numpy.__version__)')" \
  "blas_threads=$threads"

if [[ $quick -eq 1 ]]; then
  # enough warm-up for C2 to compile the Vector API code (JDK 25 needs more than 0.5 s)
  jmh_fast=(-f 1 -wi 2 -i 1 -w 1s -r 1s)
  kernel_params=(-p dimension=384)
  batch_args=(-f 1 -wi 0 -i 1 -p queries=200)
  numpy_args=(--queries 200 --warmup 1 --repeats 1)
else
  # ZCS_JMH_ARGS shortens the JMH runs (e.g. "-f 1 -wi 2 -i 3 -w 2s -r 2s"); the command line in
  # RESULTS.md records it
  read -r -a jmh_fast <<< "${ZCS_JMH_ARGS:-}"
  kernel_params=()
  batch_args=(-p queries=1000)
  numpy_args=(--queries 1000 --warmup 1 --repeats 5)
fi

log "(a) kernels"
"$java" -jar "$jar" 'io.zerocopy.bench.KernelBenchmark' "${jmh_fast[@]}" "${kernel_params[@]}" \
  -rf json -rff "$out/kernels.json" > "$out/kernels.log"
sed -n '/^Benchmark/,$p' "$out/kernels.log" >&2

log "(b) single-query search vs sequential scan, $threads threads"
"$java" -jar "$jar" 'io.zerocopy.bench.ExactSearchBenchmark' "${jmh_fast[@]}" -p threads="$threads" \
  -rf json -rff "$out/exact.json" > "$out/exact.log"
sed -n '/^Benchmark/,$p' "$out/exact.log" >&2

log "(c) batch search vs numpy, $threads threads each"
"$java" -jar "$jar" 'io.zerocopy.bench.BatchSearchBenchmark' "${batch_args[@]}" -p threads="$threads" \
  -rf json -rff "$out/batch.json" > "$out/batch.log"
sed -n '/^Benchmark/,$p' "$out/batch.log" >&2
OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads \
  "$venv/bin/python" "$bench/python/numpy_batch.py" --train "$TRAIN_VEC" --test "$TEST_VEC" \
  --batch 100 --k 10 "${numpy_args[@]}" --ids-out "$out/numpy-ids.ivecs" --json "$out/numpy.json" >&2
"$java" --add-modules jdk.incubator.vector -Xmx1g -cp "$jar" io.zerocopy.bench.BatchAgreement \
  "$TRAIN_VEC" "$TEST_VEC" "$out/numpy-ids.ivecs" "$threads" 2> "$out/agreement.err" > "$out/agreement.json"
cat "$out/agreement.json" >&2

log "(d) larger than RAM: ${ltr_gib} GiB in $ltr_dir, -Xmx1g"
mkdir -p "$ltr_dir"
need_kib=$(awk -v g="$ltr_gib" 'BEGIN {printf "%d", (g + 1) * 1048576}')
free_kib=$(df -Pk "$ltr_dir" | awk 'NR == 2 {print $4}')
if (( free_kib < need_kib )); then
  echo "(d) needs $((need_kib / 1048576)) GiB free in $ltr_dir, has $((free_kib / 1048576)) GiB: set ZCS_LTR_DIR" >&2
  exit 1
fi
timer=()
[[ -x /usr/bin/time ]] && timer=(/usr/bin/time -v -o "$out/ltr-time.txt")
"${timer[@]}" "$java" -Xmx1g --add-modules jdk.incubator.vector -cp "$jar" io.zerocopy.bench.LargerThanRam \
  --dir "$ltr_dir" --gib "$ltr_gib" --dimension 768 --queries 3 --threads "$threads" --k 10 \
  --json "$out/ltr.json" 2> "$out/ltr.err" | tee "$out/ltr.log" >&2

log "summary"
smoke=()
[[ $quick -eq 1 ]] && smoke=(--smoke)
python3 "$bench/python/summarize.py" --dir "$out" --command "$command" \
  --train-bytes "$TRAIN_BYTES" "${smoke[@]}" > "$out/section.md"
bench_publish RESULTS-smoke.md
