#!/usr/bin/env bash
# What scoring one visited vector costs a graph walk, apart from the walk (issue 28): a copy out of
# the mapping then the array kernel, in place one at a time, in place four at once
# (WalkKernels), with the vectors in the CPU's caches (hot: the instructions) and out of them
# (cold: the memory's latency, which four streams overlap). On Fashion-MNIST (L2) and the WordNet
# MiniLM sentences (cosine), on each JDK of ZCS_WALK_JAVA_HOMES side by side: JDK 17's in-place
# loads (FloatVector.fromByteBuffer) against JDK 22+'s (fromMemorySegment). Appends a dated
# section to bench/RESULTS.md.
#
#   bench/run-walk-kernels.sh           the measurement (~3 min per JDK)
#   bench/run-walk-kernels.sh --quick   a smoke run: fewer rounds; bench/target/RESULTS-walk-smoke.md
# Each in the page-cache states of ZCS_WALK_PAGE_CACHE (bench/lib.sh page_cache): the cold figures
# are the memory's latency, TLB misses included, and a .vec read in order is mapped in 2 MiB pages.
# Settings (environment): ZCS_WALK_JAVA_HOMES (space-separated; default JAVA_HOME, else the java on
# PATH); ZCS_WALK_ROUNDS (40000); ZCS_WALK_PAGE_CACHE (space-separated states, "in-order random");
# ZCS_CACHE_DIR.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args -- "$@"
rounds=${ZCS_WALK_ROUNDS:-40000}
[[ $quick -eq 1 ]] && rounds=2000
homes=${ZCS_WALK_JAVA_HOMES:-${JAVA_HOME:-}}
states=${ZCS_WALK_PAGE_CACHE:-in-order random}
# shellcheck disable=SC2086 # the states are words
page_cache_states ZCS_WALK_PAGE_CACHE $states
bench_out walk-run
bench_build bench

log "data: Fashion-MNIST and WordNet"
bench_fashion_mnist
bench_wordnet
bench_machine

: > "$out/tables.md"
for home in ${homes:-""}; do
  jvm_java=${home:+$home/bin/}java
  feature=$("$jvm_java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java.specification.version = //p')
  native=()
  (( feature >= 22 )) && native=(--enable-native-access=ALL-UNNAMED)
  for set in "$TRAIN_VEC l2" "$WORDNET_TRAIN_VEC cosine"; do
    read -r train metric <<< "$set"
    for state in $states; do
      log "JDK $feature: $(basename "$train") ($metric), page cache $state"
      page_cache "$state" "$train"
      echo "Page cache: \`$state\`." >> "$out/tables.md"
      "$jvm_java" -Xmx2g --add-modules jdk.incubator.vector "${native[@]}" -cp "$jar" \
        io.zerocopy.bench.hnsw.WalkKernels --train "$train" --metric "$metric" --rounds "$rounds" \
        >> "$out/tables.md" 2> "$out/walk-$feature-$metric-$state.log"
    done
  done
done

{
  echo "## Walk kernels, ns per scored vector: $(machine date)$([[ $quick -eq 1 ]] && echo ' (SMOKE: few rounds)')"
  echo
  echo "- command: \`$command\` (raw output: \`bench/target/walk-run-$stamp/\`)"
  echo "- commit: $(machine commit)"
  echo "- machine: $(machine cpu), $(machine cores) cores, $(machine ram) RAM"
  echo "- 16 vectors per round at random ids of the store's first mapping; hot: the same 16 each round"
  echo "  ($((rounds * 10)) rounds), cold: 16 new ones each round ($rounds rounds); 8 repetitions, modes"
  echo "  alternating, the first 3 not counted."
  echo
  cat "$out/tables.md"
} > "$out/section.md"

bench_publish RESULTS-walk-smoke.md
