#!/usr/bin/env bash
# Our HNSW index against the JVM's HNSW libraries (issue 3, item 5) and the C++ ones a user would
# pick outside the JVM (issue 28), on the current JAVA_HOME: Apache Lucene (9.12.3 on JDK 17-20,
# 10.6.0 on JDK 21+), jvector, jelmerk hnswlib-core; hnswlib 0.8.0 and faiss-cpu IndexHNSWFlat (in
# a Python process each, bench/python/native_peers.py, from bench/.venv); same M and
# efConstruction, build on 2 threads, single-thread ef sweep, QPS at recall@10 0.90/0.95/0.99,
# heap and RSS at search time. Two data sets, each in one JVM run of HnswComparison:
#   Fashion-MNIST   60,000 x 784, L2, the first 1,000 test images as queries
#   WordNet MiniLM  ~164k WordNet definitions and examples embedded with all-MiniLM-L6-v2 (quantized
#                   ONNX, in the JVM), 384-d, cosine, 1,000 held-out sentences as queries
# Appends a dated section to bench/RESULTS.md.
#
#   bench/run-hnsw-benchmarks.sh           the real measurement (quiet machine; the first run also
#                                          embeds WordNet once, which takes long: see bench/README.md)
#   bench/run-hnsw-benchmarks.sh --quick   a smoke run: 3,000 vectors, 100 queries, 3 ef values, one
#                                          pass; results go to bench/target/RESULTS-smoke.md only
# Settings (environment): JAVA_HOME; ZCS_BENCH_THREADS (2, build threads); ZCS_HNSW_HEAP (-Xmx,
# 4g); ZCS_HNSW_LIBRARIES (zero-copy,lucene,jvector,hnswlib-core); ZCS_LUCENE_JAR (overrides the
# lucene-core jar); ZCS_HNSW_NATIVE (hnswlib,faiss-hnsw; empty: none); ZCS_HNSW_PAGE_CACHE
# (in-order, random or as-is: the state each data set's .vec is put in before its run, see
# page_cache in lib.sh; in-order by default, so that runs compare); ZCS_HNSW_ROUNDS (1: each data
# set's comparison runs that many times, the peers and ours alternating, and is reported pooled,
# best of the rounds: this machine's speed drifts within minutes); ZCS_CACHE_DIR
# (~/.cache/zero-copy-search).
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args -- "$@"
threads=${ZCS_BENCH_THREADS:-2}
heap=${ZCS_HNSW_HEAP:-4g}
libraries=${ZCS_HNSW_LIBRARIES:-zero-copy,lucene,jvector,hnswlib-core}
native_peers=${ZCS_HNSW_NATIVE-hnswlib,faiss-hnsw}
page_state=${ZCS_HNSW_PAGE_CACHE:-in-order}
rounds=${ZCS_HNSW_ROUNDS:-1}
page_cache_states ZCS_HNSW_PAGE_CACHE "$page_state"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "ZCS_HNSW_ROUNDS: '$rounds': expected a count >= 1" >&2; exit 2; }
bench_out hnsw-run

bench_build bench

feature=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [[ -n "${ZCS_LUCENE_JAR:-}" ]]; then
  lucene_jar=$ZCS_LUCENE_JAR
elif (( feature >= 21 )); then
  lucene_jar=$(ls "$bench"/target/lucene/10.*/lucene-core-10.*.jar | head -1)
else
  lucene_jar=$(ls "$bench"/target/lucene/9.*/lucene-core-9.*.jar | head -1)
fi
[[ -f "$lucene_jar" ]] || { echo "no lucene-core jar for JDK $feature: $lucene_jar" >&2; exit 1; }
log "JDK $feature: $(basename "$lucene_jar")"

# G1 gives heap back after the full GCs between libraries (Min/MaxHeapFreeRatio act then), so that
# RSS is closer to one library's; no -Xms/AlwaysPreTouch, which would make RSS the whole heap
native=()
(( feature >= 22 )) && native=(--enable-native-access=ALL-UNNAMED)
jvm=(-Xmx"$heap" -XX:+UseG1GC -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20
  --add-modules jdk.incubator.vector "${native[@]}")
cp=("$jar:$lucene_jar")

log "data: Fashion-MNIST and WordNet"
[[ -f /usr/share/wordnet/data.noun ]] || "$root/scripts/install-data.sh"
bench_fashion_mnist
if [[ $quick -eq 1 ]]; then
  wordnet_args=(--limit 3000 --queries 100 --threads "$threads")
  sweep=(--limit 3000 --query-count 100 --ef 10,32,128 --passes 1)
else
  wordnet_args=(--queries 1000 --threads "$threads")
  # fine steps at small ef, where recall crosses 0.90-0.95: less interpolation between points
  sweep=(--query-count 1000 --ef 10,12,14,16,20,24,32,48,64,96,128,192,256 --passes 3)
fi
# embeds once into the cache (long on the first full run; later runs only read the cache)
"$java" "${native[@]}" -cp "$jar" io.zerocopy.bench.hnsw.PrepareWordnet "${wordnet_args[@]}" \
  > "$out/wordnet.env" 2> >(tee "$out/wordnet-prepare.log" >&2)
# shellcheck disable=SC1091
source "$out/wordnet.env"

venv=$bench/.venv
if [[ -n "$native_peers" ]]; then
  log "native peers' venv (bench/.venv, bench/python/requirements.txt; hnswlib builds from source)"
  if ! "$venv/bin/python" -c 'import hnswlib, faiss, threadpoolctl' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r "$bench/python/requirements.txt"
  fi
fi

bench_machine

common=(--libraries "$libraries" --native "$native_peers" --python "$venv/bin/python"
  --native-script "$bench/python/native_peers.py" --m 16 --ef-construction 200 --threads "$threads" --k 10
  --rounds "$rounds" --out "$out")
# huge_mb: the page cache's file pages in large folios (FileHugePages), in MiB
huge_mb() { awk '/^FileHugePages:/ { printf "%d", $2 / 1024 }' /proc/meminfo 2> /dev/null || echo "?"; }
log "Fashion-MNIST: page cache $page_state"
page_cache "$page_state" "$TRAIN_VEC"
fashion_huge=$(huge_mb)
log "Fashion-MNIST: $libraries"
"$java" "${jvm[@]}" -cp "${cp[@]}" io.zerocopy.bench.hnsw.HnswComparison \
  --name "Fashion-MNIST" --slug fashion-mnist --train "$TRAIN_VEC" --queries "$TEST_VEC" --metric l2 \
  "${common[@]}" "${sweep[@]}" > /dev/null 2> >(tee "$out/fashion-mnist.log" >&2)
log "WordNet MiniLM: page cache $page_state"
page_cache "$page_state" "$WORDNET_TRAIN_VEC"
wordnet_huge=$(huge_mb)
log "WordNet MiniLM: $libraries"
"$java" "${jvm[@]}" -cp "${cp[@]}" io.zerocopy.bench.hnsw.HnswComparison \
  --name "WordNet glosses, all-MiniLM-L6-v2 (quantized)" --slug wordnet-minilm \
  --train "$WORDNET_TRAIN_VEC" --queries "$WORDNET_QUERIES_VEC" --metric cosine \
  "${common[@]}" "${sweep[@]}" > /dev/null 2> >(tee "$out/wordnet-minilm.log" >&2)

{
  echo "## HNSW vs the JVM's HNSW libraries, $(machine date), JDK $(machine jdk)$([[ $quick -eq 1 ]] && echo ' (SMOKE: tiny data, numbers meaningless)')"
  echo
  echo "- command: \`$command\` (raw output: \`bench/target/hnsw-run-$stamp/\`)"
  echo "- commit: $(machine commit)"
  echo "- machine: $(machine cpu), $(machine cores) cores, $(machine ram) RAM; $(machine java)"
  echo "- JVM: \`${jvm[*]}\`, class path benchmarks.jar + $(basename "$lucene_jar")"
  echo "- build time: until the index is searchable in the form it is searched in (ours: build +"
  echo "  save + reopen mapped; Lucene: index on $threads threads + forceMerge(1) with $threads merge workers +"
  echo "  commit + open; jvector and hnswlib-core: in-heap build on $threads threads). Heap: used after GC at"
  echo "  search time minus used after GC before the build. RSS: the whole process at search time"
  echo "  (anon includes heap the JVM kept committed from earlier libraries; file = mapped pages, of"
  echo "  which the kernel maps the last figure in 2 MiB pages: FilePmdMapped)."
  echo "- page cache: \`$page_state\` (ZCS_HNSW_PAGE_CACHE; bench/lib.sh page_cache): each data set's"
  echo "  .vec put in that state before its run; the page cache then held $fashion_huge / $wordnet_huge MiB"
  echo "  of file pages in large folios (FileHugePages, Fashion-MNIST / WordNet). The peers keep their"
  echo "  copy of the vectors in anon memory: in 2 MiB pages only where transparent huge pages are"
  echo "  \`always\` (here: \`$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2> /dev/null || echo '?')\`)."
  echo
  cat "$out/fashion-mnist.md"
  echo
  cat "$out/wordnet-minilm.md"
} > "$out/section.md"

bench_publish RESULTS-smoke.md
