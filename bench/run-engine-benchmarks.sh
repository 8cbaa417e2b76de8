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

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown argument '$arg' (expected --quick)" >&2; exit 2 ;;
  esac
done

bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench")
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
threads=${ZCS_BENCH_THREADS:-2}
ltr_gib=${ZCS_LTR_GIB:-32}
ltr_dir=${ZCS_LTR_DIR:-$bench/target/larger-than-ram}
if [[ $quick -eq 1 ]]; then
  ltr_gib=${ZCS_LTR_GIB:-1}
fi
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$bench/target/run-$stamp
mkdir -p "$out"
command="bench/run-engine-benchmarks.sh${*:+ $*}"
[[ -n "${JAVA_HOME:-}" ]] && command="JAVA_HOME=$JAVA_HOME $command"
[[ -n "${ZCS_JMH_ARGS:-}" ]] && command="ZCS_JMH_ARGS=\"$ZCS_JMH_ARGS\" $command"
log() { echo "== $*" >&2; }

cleanup() {
  # the generated larger-than-RAM files, whatever happened
  rm -f "$ltr_dir"/larger-than-ram-*.vec "$ltr_dir"/.larger-than-ram-*.tmp \
    "$ltr_dir"/warm-up-*.vec "$ltr_dir"/.warm-up-*.tmp 2>/dev/null || true
}
trap cleanup EXIT

log "build (bench/target/benchmarks.jar)"
(cd "$root" && mvn -B -q -DskipTests -Dspotless.apply.skip=true -Dspotless.check.skip=true -pl bench -am package)
jar=$bench/target/benchmarks.jar

log "data: Fashion-MNIST"
[[ -d /usr/share/datasets/fashion-mnist ]] || "$root/scripts/install-data.sh"
"$java" -cp "$jar" io.zerocopy.bench.PrepareData > "$out/data.env"
# shellcheck disable=SC1091
source "$out/data.env"

log "numpy venv (bench/.venv, bench/python/requirements.txt)"
venv=$bench/.venv
if ! "$venv/bin/python" -c 'import numpy; assert numpy.__version__ == "2.3.5"' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$bench/python/requirements.txt"
fi

{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (+ local changes)')"
  echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "cores=$(nproc)"
  echo "ram=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "java=$("$java" -version 2>&1 | sed -n 2p)"
  echo "jdk=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = //p')"
  echo "numpy=$("$venv/bin/python" -c 'import numpy; print(numpy.__version__)')"
  echo "blas_threads=$threads"
  echo "load_average_at_start=$(cut -d" " -f1-3 /proc/loadavg)"
} > "$out/machine.txt"

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
if [[ $quick -eq 1 ]]; then
  { echo; cat "$out/section.md"; } >> "$bench/target/RESULTS-smoke.md"
  log "smoke run: NOT appended to bench/RESULTS.md; see $bench/target/RESULTS-smoke.md"
else
  { echo; cat "$out/section.md"; } >> "$bench/RESULTS.md"
  log "appended to bench/RESULTS.md"
fi
cat "$out/section.md"
