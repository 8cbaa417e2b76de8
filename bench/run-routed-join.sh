#!/usr/bin/env bash
# Routed joins at 1/1000 of a billion (issue 27, step 4): in one local Spark run per data set, a
# clustered vec dataset (partitioning=kmeans, boundary replicas, HNSW per shard) and held-out
# queries, k = 10: the exact join (the truth), the unrouted partitioned HNSW join and the routed one
# at each nprobe: wall time, recall@10, shard searches per query, shuffle bytes. Then the
# deduplication job on the mixture: a self-join of every item, write and index included.
#
#   bench/run-routed-join.sh           1,000,000 vectors of a 384-d Gaussian mixture (1,000
#                                      components) in 256 shards with 1,000 queries, and the self-join;
#                                      then 99,800 MiniLM WordNet sentences in 256 shards with 200
#                                      queries; appends to bench/RESULTS.md (~40 min on 2 cores)
#   bench/run-routed-join.sh --quick   50,000 mixture vectors in 64 shards, 100 queries, self-join;
#                                      to bench/target/RESULTS-routed-join-smoke.md
#   --mixture-items N (0: no mixture run), --self-join-nprobe N (0: none; default -1: the fewest
#   probes that kept recall@10 >= 0.95 on the queries), --skip-minilm yes, --minilm-item-queries N
#   (the first N sentences as queries instead of the 200 held-out ones: enough work per shard for
#   the wall time to measure the searches, not Spark's per-job overhead)
# Settings (environment): JAVA_HOME; ZCS_BENCH_XMX (6g); ZCS_ROUTED_EF (64); boundaryReplicas
# ZCS_ROUTED_MIXTURE_REPLICAS (0: in 384-d the mixture's centres are all at about the same
# distance, and 0.1 stores each row 4 times) and ZCS_ROUTED_MINILM_REPLICAS (0.1, 1.66 copies);
# ZCS_ROUTED_NPROBE (8,16,32,64).
set -euo pipefail

mixture_items=1000000 self_join_nprobe=-1 skip_minilm=no minilm_item_queries=0
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args --mixture-items:mixture_items --self-join-nprobe:self_join_nprobe \
  --skip-minilm:skip_minilm --minilm-item-queries:minilm_item_queries -- "$@"
shards=256 queries=1000 minilm_limit=100000 probes=8,16,32,64
if [[ $quick -eq 1 ]]; then
  mixture_items=50000 shards=64 queries=100 skip_minilm=yes probes=4,8,16,32
fi
ef=${ZCS_ROUTED_EF:-64}
mixture_replicas=${ZCS_ROUTED_MIXTURE_REPLICAS:-0}
minilm_replicas=${ZCS_ROUTED_MINILM_REPLICAS:-0.1}
nprobe=${ZCS_ROUTED_NPROBE:-$probes}
bench_out routed-join

bench_build bench
bench_spark_classpath
bench_machine

run() { # NAME ARGS...: one RoutedJoinBenchmark run into out/NAME.md
  local name=$1
  shift
  rm -rf "$out/$name-data" && mkdir -p "$out/$name-data"
  "$java" -Xmx"${ZCS_BENCH_XMX:-6g}" --add-modules jdk.incubator.vector "${spark_opens[@]}" \
    -cp "$spark_cp" io.zerocopy.bench.routing.RoutedJoinBenchmark --dir "$out/$name-data" \
    --out "$out/$name.md" --shards "$shards" --nprobe "$nprobe" --ef "$ef" "$@" \
    2> >(tee "$out/$name.log" | grep -E '^== |Exception|Error' >&2) > /dev/null
  rm -rf "$out/$name-data"
}

if [[ $skip_minilm != yes ]]; then
  [[ -f /usr/share/wordnet/data.noun ]] || "$root/scripts/install-data.sh"
  "$java" -cp "$jar" io.zerocopy.bench.hnsw.PrepareWordnet --limit "$minilm_limit" --queries 200 \
    --threads "$(nproc)" > "$out/wordnet.env" 2> "$out/wordnet-prepare.log"
  # shellcheck disable=SC1091
  source "$out/wordnet.env"
  log "MiniLM: $WORDNET_TRAIN_COUNT sentences, $shards shards, $WORDNET_QUERY_COUNT queries"
  minilm_queries=(--queries "$WORDNET_QUERY_COUNT")
  if [[ $minilm_item_queries -gt 0 ]]; then
    minilm_queries=(--queries "$minilm_item_queries" --queriesFromItems true)
  fi
  run minilm --data vec --train "$WORDNET_TRAIN_VEC" --test "$WORDNET_QUERIES_VEC" \
    --items "$WORDNET_TRAIN_COUNT" "${minilm_queries[@]}" --metric cosine \
    --replicas "$minilm_replicas"
fi

if [[ $mixture_items -gt 0 ]]; then
  log "mixture: $mixture_items vectors, $shards shards, $queries queries, self-join nprobe $self_join_nprobe"
  run mixture --data mixture --items "$mixture_items" --queries "$queries" --metric l2 \
    --replicas "$mixture_replicas" --selfJoinNprobe "$self_join_nprobe"
fi

{
  echo "## Routed joins at 1/1000 scale: $(machine date)$([[ $quick -eq 1 ]] && echo ' (smoke run)')"
  echo
  echo "Command: \`$command\`; machine: $(machine cpu), $(machine cores) cores, $(machine ram);"
  echo "$(machine java); commit $(machine commit). One local[$(machine cores)] Spark session per"
  echo "data set; every join partitioned (one task per shard), HNSW ef $ef unless exact; recall@10"
  echo "against the exact join over every shard; shuffle = bytes every task wrote to the shuffle."
  echo
  if [[ -f $out/mixture.md ]]; then
    echo "**Gaussian mixture.**"
    cat "$out/mixture.md"
  fi
  if [[ -f $out/minilm.md ]]; then
    echo
    echo "**MiniLM WordNet sentences** (all-MiniLM-L6-v2, quantized)."
    cat "$out/minilm.md"
  fi
} > "$out/section.md"
bench_publish RESULTS-routed-join-smoke.md
