#!/usr/bin/env bash
# Routing recall (issue 27): before any Spark job, what a partitioning=kmeans write and a query's
# nprobe keep of its true neighbours. On the MiniLM WordNet sentences (cosine, 384-d, held-out
# queries): the write's k-means per shard count, then recall@10 of exact search over the nprobe
# nearest clusters against exact search over everything, with and without boundary replicas
# (SPANN-style: a vector also stored in the further clusters within (1 + eps) of its nearest).
#
#   bench/run-routing-recall.sh           100,000 sentences, 200 queries, 64 and 256 shards
#                                         (~6 min on 2 cores); appends to bench/RESULTS.md
#   bench/run-routing-recall.sh --quick   20,000 sentences, 100 queries, 64 shards; to
#                                         bench/target/RESULTS-routing-smoke.md
# Settings (environment): JAVA_HOME; ZCS_BENCH_HEAP (3g).
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args -- "$@"
bench_out routing-run

bench_build bench
[[ -f /usr/share/wordnet/data.noun ]] || "$root/scripts/install-data.sh"
if [[ $quick -eq 1 ]]; then
  wordnet=(--limit 20000 --queries 100)
  sweep=(64 4,8,16 0,0.1)
else
  wordnet=(--limit 100000 --queries 200)
  sweep=(64,256 4,8,16,32 0,0.05,0.1,0.2)
fi
"$java" -cp "$jar" io.zerocopy.bench.hnsw.PrepareWordnet "${wordnet[@]}" --threads "$(nproc)" \
  > "$out/wordnet.env" 2> "$out/wordnet-prepare.log"
# shellcheck disable=SC1091
source "$out/wordnet.env"

bench_machine

log "routing recall: ${sweep[*]}"
"$java" --add-modules jdk.incubator.vector -Xmx"${ZCS_BENCH_HEAP:-3g}" -cp "$jar" \
  io.zerocopy.bench.routing.RoutingRecall "$WORDNET_TRAIN_VEC" "$WORDNET_QUERIES_VEC" cosine \
  "${sweep[@]}" > "$out/figures.md" 2> "$out/run.log"

{
  echo "## Routing recall, MiniLM WordNet sentences: $(machine date)$([[ $quick -eq 1 ]] && echo ' (smoke run)')"
  echo
  echo "Command: \`$command\`; data: $WORDNET_TRAIN_COUNT sentences + $WORDNET_QUERY_COUNT held-out"
  echo "queries, all-MiniLM-L6-v2 (quantized), cosine; machine: $(machine cpu), $(machine cores) cores,"
  echo "$(machine ram); $(machine java); commit $(machine commit). Exact search inside the probed"
  echo "clusters, so the recall is routing's alone (HNSW per shard adds its own loss)."
  echo
  cat "$out/figures.md"
} > "$out/section.md"
bench_publish RESULTS-routing-smoke.md
