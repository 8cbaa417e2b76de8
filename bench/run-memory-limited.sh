#!/usr/bin/env bash
# Larger than the page cache (issue 29 step 4): single-thread HNSW searches of the WordNet MiniLM
# sentences (163,780 x 384, cosine; a 251 MB .vec) in a process whose memory, page cache included,
# is capped below the .vec's size by a cgroup (v1 memory controller, or systemd-run's MemoryMax on
# cgroup v2): once walking on the float32 vectors, then on the int8 codes (63 MB) and on the pq
# codes (16 MB), each with its default re-ranking from the .vec; each walk with the kernel's
# read-around on page faults and with the mappings advised random. Same files, same limit, same ef;
# the files' pages are dropped from the page cache before each run, so what the process reads is
# charged to its limit. Appends a dated section to bench/RESULTS.md.
#
#   bench/run-memory-limited.sh           the measurement (~3 min once the index is cached)
#   bench/run-memory-limited.sh --quick   a smoke run: 5 s phases; bench/target/RESULTS-memory-smoke.md
# Settings (environment): JAVA_HOME; ZCS_MEMORY_LIMIT_MB (192); ZCS_MEMORY_HEAP_MB (48, -Xmx);
# ZCS_MEMORY_EF (50); ZCS_MEMORY_SECONDS (30); ZCS_CACHE_DIR. Needs root for the cgroup.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args -- "$@"
limit_mb=${ZCS_MEMORY_LIMIT_MB:-192}
heap_mb=${ZCS_MEMORY_HEAP_MB:-48}
ef=${ZCS_MEMORY_EF:-50}
seconds=${ZCS_MEMORY_SECONDS:-30}
[[ $quick -eq 1 ]] && seconds=5
bench_out memory-run
bench_build bench
log "data: WordNet"
bench_wordnet
bench_machine "memory_limit_mb=$limit_mb"
work=$bench/target/memory-index
log "index and codes (built once into $work, outside the limit), exact neighbours"
"$java" -Xmx4g --add-modules jdk.incubator.vector -cp "$jar" io.zerocopy.bench.hnsw.MemoryLimitedSearch \
  prepare --train "$WORDNET_TRAIN_VEC" --queries "$WORDNET_QUERIES_VEC" --metric cosine --dir "$work" \
  2> "$out/prepare.log"

# limited CMD...: runs CMD with memory (page cache included) capped at limit_mb
cgroup=""
if [[ -d /sys/fs/cgroup/memory && -w /sys/fs/cgroup/memory ]]; then
  cgroup=/sys/fs/cgroup/memory/zcs-memory-bench-$$
  mkdir "$cgroup"
  trap 'rmdir "$cgroup" 2>/dev/null || true' EXIT
  echo $((limit_mb * 1024 * 1024)) > "$cgroup/memory.limit_in_bytes"
  limited() { bash -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cgroup" "$@"; }
  how="cgroup v1 memory.limit_in_bytes = $limit_mb MiB"
elif command -v systemd-run > /dev/null && systemd-run --scope -q -p MemoryMax=1G true 2> /dev/null; then
  limited() { systemd-run --scope -q -p MemoryMax="${limit_mb}M" -p MemorySwapMax=0 "$@"; }
  how="systemd-run --scope -p MemoryMax=${limit_mb}M (cgroup v2)"
else
  echo "cannot cap memory here: no writable cgroup v1 memory controller and no systemd-run scope" >&2
  exit 1
fi
log "limit: $how"

run() { # run CODES (none, int8, pq) ADVICE (random, normal): one search phase in the limit
  evict "$WORDNET_TRAIN_VEC" "$work/index.hnsw" "$work/index.i8" "$work/index.pq"
  limited "$java" -Xmx"${heap_mb}m" -XX:+UseSerialGC --add-modules jdk.incubator.vector \
    "${foreign[@]}" --enable-native-access=ALL-UNNAMED -Dzcs.mapping.advice="$2" -cp "$jar" \
    io.zerocopy.bench.hnsw.MemoryLimitedSearch search --train "$WORDNET_TRAIN_VEC" \
    --queries "$WORDNET_QUERIES_VEC" --dir "$work" --codes "$1" --ef "$ef" --seconds "$seconds" \
    2>> "$out/search.log"
}
# Each walk with the kernel's read-around on page faults, then (JDK 17 and 22+: the FFM API) with
# the mappings advised random (madvise(MADV_RANDOM)).
feature=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
advices=(normal)
foreign=()
(( feature == 17 )) && foreign=(--add-modules jdk.incubator.foreign)
(( feature >= 22 || feature == 17 )) && advices+=(random)
log "float32 walk, then the int8 and the pq codes walks, ef $ef, $seconds s each; page faults: ${advices[*]}"
declare -A lines
for advice in "${advices[@]}"; do
  for codes in none int8 pq; do
    lines[$codes-$advice]=$(run "$codes" "$advice")
    echo "${lines[$codes-$advice]}" >&2
  done
done
# the runs leave the .vec in 4 KiB page-cache pages (read at random under the cap); later runs here
# would read it so (the exact benchmark's C loop then streams it at half its speed): drop it and
# read it once in order, which leaves it in large folios as a file read in order is
log "the .vec's pages dropped and read once in order, as later benchmarks expect to find them"
page_cache in-order "$WORDNET_TRAIN_VEC"
if [[ -n $cgroup ]]; then
  peak_mb=$(( $(cat "$cgroup/memory.max_usage_in_bytes") / 1048576 ))
else
  peak_mb="n/a"
fi

field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" <<< "$1"; }
vec_mb=$(( $(stat -c %s "$WORDNET_TRAIN_VEC") / 1048576 ))
codes_mb=$(( $(stat -c %s "$work/index.i8") / 1048576 ))
pq_mb=$(( $(stat -c %s "$work/index.pq") / 1048576 ))
graph_mb=$(( $(stat -c %s "$work/index.hnsw") / 1048576 ))
ratio() { awk -v a="$(field "$1" qps)" -v b="$(field "$2" qps)" 'BEGIN { printf "%.1f", a / b }'; }
row() { # row LABEL LINE
  echo "| $1 | $(sed -n 's/.*advice=\([a-z-]*\).*/\1/p' <<< "$2") | $(field "$2" qps) | $(field "$2" recall) | $(field "$2" major_faults_per_query) |"
}
{
  echo "## Larger than the page cache: $(machine date), JDK $(machine jdk)"
  echo
  echo "- command: \`$command\` (raw output: \`bench/target/$(basename "$out")/\`)"
  echo "- commit: $(machine commit)"
  echo "- machine: $(machine cpu), $(machine cores) cores, $(machine ram) RAM; $(machine java)"
  echo "- WordNet MiniLM sentences, $WORDNET_TRAIN_COUNT x 384, cosine: \`.vec\` $vec_mb MiB, \`.hnsw\` $graph_mb MiB,"
  echo "  int8 codes $codes_mb MiB, pq codes $pq_mb MiB; memory capped at $limit_mb MiB for the whole process, page cache included"
  echo "  ($how; peak charged: $peak_mb MiB), heap -Xmx${heap_mb}m; the files' pages dropped before each run;"
  echo "  M 16, efConstruction 200, ef $ef, k 10, single thread, 1,000 queries round-robin for $seconds s;"
  echo "  page faults with the kernel's read-around, then with the mappings advised random (madvise, JDK 17 and 22+)"
  echo
  echo "| walk on | page faults | QPS | recall@10 | major page faults per query |"
  echo "|---|---|---:|---:|---:|"
  for advice in "${advices[@]}"; do
    row "float32 vectors (the .vec)" "${lines[none-$advice]}"
    row "int8 codes, re-ranked from the .vec" "${lines[int8-$advice]}"
    row "pq codes, re-ranked from the .vec" "${lines[pq-$advice]}"
  done
  echo
  echo "- codes / float32, queries per second, same advice (target >= 10 at recall >= 0.95):"
  echo "  read-around: int8 **$(ratio "${lines[int8-normal]}" "${lines[none-normal]}")x**, pq **$(ratio "${lines[pq-normal]}" "${lines[none-normal]}")x**"
  if (( feature >= 22 || feature == 17 )); then
    echo "  advised random: int8 **$(ratio "${lines[int8-random]}" "${lines[none-random]}")x**, pq **$(ratio "${lines[pq-random]}" "${lines[none-random]}")x**"
    echo "- advised random / read-around, same walk: float32 $(ratio "${lines[none-random]}" "${lines[none-normal]}")x, int8 $(ratio "${lines[int8-random]}" "${lines[int8-normal]}")x, pq $(ratio "${lines[pq-random]}" "${lines[pq-normal]}")x"
  else
    echo "- JDK $feature: no FFM API served, so no madvise(MADV_RANDOM): only the kernel's read-around is measured"
  fi
} > "$out/section.md"
bench_publish RESULTS-memory-smoke.md
