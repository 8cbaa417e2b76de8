#!/usr/bin/env bash
# Larger than the page cache (issue 29 step 4): single-thread HNSW searches of the WordNet MiniLM
# sentences (163,780 x 384, cosine; a 251 MB .vec) in a process whose memory, page cache included,
# is capped below the .vec's size by a cgroup (v1 memory controller, or systemd-run's MemoryMax on
# cgroup v2): once walking on the float32 vectors, then on the int8 codes (63 MB) and on the pq
# codes (16 MB), each with its default re-ranking from the .vec. Same files, same limit, same ef;
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

# evict FILE...: drops the files' clean pages from the page cache (posix_fadvise DONTNEED)
evict() {
  python3 - "$@" <<'PY'
import os, sys
for name in sys.argv[1:]:
    fd = os.open(name, os.O_RDONLY)
    os.fsync(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
PY
}

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

run() { # run CODES (none, int8, pq): one search phase in the limit
  evict "$WORDNET_TRAIN_VEC" "$work/index.hnsw" "$work/index.i8" "$work/index.pq"
  limited "$java" -Xmx"${heap_mb}m" -XX:+UseSerialGC --add-modules jdk.incubator.vector -cp "$jar" \
    io.zerocopy.bench.hnsw.MemoryLimitedSearch search --train "$WORDNET_TRAIN_VEC" \
    --queries "$WORDNET_QUERIES_VEC" --dir "$work" --codes "$1" --ef "$ef" --seconds "$seconds" \
    2>> "$out/search.log"
}
log "float32 walk, then the int8 and the pq codes walks, ef $ef, $seconds s each"
float_line=$(run none)
echo "$float_line" >&2
codes_line=$(run int8)
echo "$codes_line" >&2
pq_line=$(run pq)
echo "$pq_line" >&2
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
ratio() { awk -v a="$(field "$1" qps)" -v b="$(field "$float_line" qps)" 'BEGIN { printf "%.1f", a / b }'; }
{
  echo "## Larger than the page cache: $(machine date), JDK $(machine jdk)"
  echo
  echo "- command: \`$command\` (raw output: \`bench/target/$(basename "$out")/\`)"
  echo "- commit: $(machine commit)"
  echo "- machine: $(machine cpu), $(machine cores) cores, $(machine ram) RAM; $(machine java)"
  echo "- WordNet MiniLM sentences, $WORDNET_TRAIN_COUNT x 384, cosine: \`.vec\` $vec_mb MiB, \`.hnsw\` $graph_mb MiB,"
  echo "  int8 codes $codes_mb MiB, pq codes $pq_mb MiB; memory capped at $limit_mb MiB for the whole process, page cache included"
  echo "  ($how; peak charged: $peak_mb MiB), heap -Xmx${heap_mb}m; the files' pages dropped before each run;"
  echo "  M 16, efConstruction 200, ef $ef, k 10, single thread, 1,000 queries round-robin for $seconds s"
  echo
  echo "| walk on | QPS | recall@10 | major page faults per query |"
  echo "|---|---:|---:|---:|"
  echo "| float32 vectors (the .vec) | $(field "$float_line" qps) | $(field "$float_line" recall) | $(field "$float_line" major_faults_per_query) |"
  echo "| int8 codes, re-ranked from the .vec | $(field "$codes_line" qps) | $(field "$codes_line" recall) | $(field "$codes_line" major_faults_per_query) |"
  echo "| pq codes, re-ranked from the .vec | $(field "$pq_line" qps) | $(field "$pq_line" recall) | $(field "$pq_line" major_faults_per_query) |"
  echo
  echo "- codes / float32, queries per second (target >= 10 at recall >= 0.95): int8 **$(ratio "$codes_line")x**, pq **$(ratio "$pq_line")x**"
} > "$out/section.md"
bench_publish RESULTS-memory-smoke.md
