#!/usr/bin/env bash
# Exact search against what a user would pick outside the JVM (issue 28 step 5), on Fashion-MNIST
# (L2) and the WordNet MiniLM sentences (cosine), on the current JAVA_HOME, same threads for all:
#   - a C loop (bench/c/scan.c, cc -O3 -march=native) reading the same mapped .vec: the bandwidth
#     ceiling single queries are held to (>= 85% of it);
#   - ours (ExactComparison): single queries (GB/s of the file) and a batch of 1,000 queries;
#   - numpy (OpenBLAS sgemv / sgemm on the memory-mapped file) and faiss IndexFlat (its own copy),
#     each in its own Python process (python/exact_peers.py), with OPENBLAS_CORETYPE and
#     OPENBLAS_L2_SIZE removed from their environment; the BLAS that loaded is recorded; both are
#     checked against our neighbours.
# Appends a dated section to bench/RESULTS.md.
#
#   bench/run-exact-benchmarks.sh           the measurement (~6 min once the data is cached)
#   bench/run-exact-benchmarks.sh --quick   a smoke run: short phases, 200 queries;
#                                           bench/target/RESULTS-exact-smoke.md
# Settings (environment): JAVA_HOME; ZCS_BENCH_THREADS (2); ZCS_EXACT_SECONDS (10);
# ZCS_EXACT_PAGE_CACHE (in-order, random or as-is: each .vec's page-cache state before its
# comparison, bench/lib.sh page_cache; in 4 KiB pages the C loop reads at about half its speed);
# ZCS_CACHE_DIR.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args -- "$@"
threads=${ZCS_BENCH_THREADS:-2}
seconds=${ZCS_EXACT_SECONDS:-10}
page_state=${ZCS_EXACT_PAGE_CACHE:-in-order}
page_cache_states ZCS_EXACT_PAGE_CACHE "$page_state"
warmup=3
batch=1000
repeats=3
if [[ $quick -eq 1 ]]; then
  seconds=2
  warmup=1
  batch=200
  repeats=1
fi
bench_out exact-run
bench_build bench

log "C read loop (cc -O3 -march=native)"
cc -O3 -march=native -pthread -o "$out/scan" "$bench/c/scan.c"

log "data: Fashion-MNIST and WordNet"
bench_fashion_mnist
bench_wordnet
bench_venv
bench_machine "threads=$threads" "cc=$(cc --version | head -1)"

# compare SLUG TRAIN QUERIES METRIC TITLE: one data set, every contender, raw output in out/SLUG-*
compare() {
  local slug=$1 train=$2 queries=$3 metric=$4 title=$5
  log "$title: page cache $page_state"
  page_cache "$page_state" "$train"
  log "$title: C read loop, $threads threads"
  "$out/scan" "$train" "$threads" 20 > "$out/$slug-scan.txt"
  cat "$out/$slug-scan.txt" >&2
  log "$title: ours"
  "$java" -Xmx2g --add-modules jdk.incubator.vector -cp "$jar" io.zerocopy.bench.ExactComparison \
    --train "$train" --queries "$queries" --metric "$metric" --threads "$threads" \
    --batch-queries "$batch" --seconds "$seconds" --warmup-seconds "$warmup" --repeats "$repeats" \
    --ids-out "$out/$slug-ours.ivecs" > "$out/$slug-ours.txt" 2> "$out/$slug-ours.log"
  cat "$out/$slug-ours.txt" >&2
  local library
  for library in numpy faiss; do
    log "$title: $library"
    (cd "$bench/python" && env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
      OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads" "$venv/bin/python" exact_peers.py \
      --library "$library" --train "$train" --queries "$queries" --metric "$metric" \
      --ours "$out/$slug-ours.ivecs" --threads "$threads" --batch-queries "$batch" \
      --seconds "$seconds" --warmup-seconds "$warmup" --repeats "$repeats") \
      > "$out/$slug-$library.json" 2> "$out/$slug-$library.log"
    cat "$out/$slug-$library.json" >&2
  done
  python3 "$bench/python/exact_table.py" --dir "$out" --slug "$slug" --title "$title" \
    >> "$out/tables.md"
}

: > "$out/tables.md"
compare fashion-mnist "$TRAIN_VEC" "$TEST_VEC" l2 "Fashion-MNIST (60,000 x 784, L2)"
compare wordnet-minilm "$WORDNET_TRAIN_VEC" "$WORDNET_QUERIES_VEC" cosine \
  "WordNet MiniLM ($WORDNET_TRAIN_COUNT x 384, cosine)"

{
  echo "## Exact search vs a C read loop, numpy and faiss: $(machine date), JDK $(machine jdk)$([[ $quick -eq 1 ]] && echo ' (SMOKE: short phases)')"
  echo
  echo "- command: \`$command\` (raw output: \`bench/target/exact-run-$stamp/\`)"
  echo "- commit: $(machine commit)"
  echo "- machine: $(machine cpu), $(machine cores) cores, $(machine ram) RAM; $(machine java); $(machine cc)"
  echo "- every contender on $threads threads, k 10, files in the page cache (\`$page_state\`, ZCS_EXACT_PAGE_CACHE); single queries: the first"
  echo "  100 queries round-robin for ${seconds} s after ${warmup} s of warm-up (GB/s = the train file's"
  echo "  float bytes x queries per second); batch: $batch queries in one call, median of $repeats after a"
  echo "  warm-up pass. C loop: the best of 20 passes summing every float of the mapped file."
  echo "  numpy: sgemv per single query, sgemm per 100 queries, on np.memmap; faiss IndexFlat: its"
  echo "  own copy (cosine: IndexFlatIP on normalised vectors), single queries on one thread (faiss"
  echo "  splits a search by query). Agreement: the share of our top-10 ids each returns."
  echo
  cat "$out/tables.md"
} > "$out/section.md"

bench_publish RESULTS-exact-smoke.md
