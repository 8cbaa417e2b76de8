#!/usr/bin/env bash
# Where a search's time goes (issue 28 step 2): the cost of one visited node of our HNSW search,
# split by part, on Fashion-MNIST (L2) and the WordNet MiniLM sentences (cosine), on the current
# JAVA_HOME. For each data set, SearchProfile runs the queries single-threaded at one ef (near
# recall@10 0.95) twice: once plain, for QPS, vectors scored per query and ns per scored vector;
# once under async-profiler (the jar from Maven Central, itimer sampling), whose samples
# python/profile_table.py splits into the parts of that cost. The same ef on hnswlib (C++, in
# bench/.venv) gives its ns per query beside ours. Appends a dated section to bench/RESULTS.md.
#
#   bench/run-search-profile.sh           the measurement (~6 min once the indexes are cached)
#   bench/run-search-profile.sh --quick   a smoke run: 5 s phases; bench/target/RESULTS-profile-smoke.md
# Settings (environment): JAVA_HOME; ZCS_PROFILE_EF_FASHION (14); ZCS_PROFILE_EF_MINILM (24);
# ZCS_PROFILE_SECONDS (20); ZCS_ASYNC_PROFILER_VERSION (4.2); ZCS_CACHE_DIR.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args -- "$@"
ef_fashion=${ZCS_PROFILE_EF_FASHION:-14}
ef_minilm=${ZCS_PROFILE_EF_MINILM:-24}
seconds=${ZCS_PROFILE_SECONDS:-20}
warmup=5
if [[ $quick -eq 1 ]]; then
  seconds=5
  warmup=3
fi
profiler_version=${ZCS_ASYNC_PROFILER_VERSION:-4.2}
bench_out profile-run
bench_build bench

log "async-profiler $profiler_version (Maven Central: tools.profiler:async-profiler)"
profiler_jar=$HOME/.m2/repository/tools/profiler/async-profiler/$profiler_version/async-profiler-$profiler_version.jar
if [[ ! -f $profiler_jar ]]; then
  (cd "$root" && mvn -B -q dependency:get -Dartifact="tools.profiler:async-profiler:$profiler_version" \
    -Dtransitive=false)
fi
profiler_dir=$bench/target/async-profiler-$profiler_version
if [[ ! -f $profiler_dir/linux-x64/libasyncProfiler.so ]]; then
  mkdir -p "$profiler_dir"
  (cd "$profiler_dir" && unzip -q -o "$profiler_jar" 'linux-x64/*')
fi
agent=$profiler_dir/linux-x64/libasyncProfiler.so

log "data: Fashion-MNIST and WordNet"
bench_fashion_mnist
bench_wordnet
bench_venv
bench_machine

feature=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
native=()
(( feature >= 22 )) && native=(--enable-native-access=ALL-UNNAMED)
jvm=(-Xmx4g --add-modules jdk.incubator.vector "${native[@]}")

# profile SLUG TRAIN QUERIES METRIC EF TITLE: appends SLUG's table to out/tables.md
profile() {
  local slug=$1 train=$2 queries=$3 metric=$4 ef=$5 title=$6
  local args=(--train "$train" --queries "$queries" --metric "$metric" --ef "$ef"
    --index "$bench/target/profile-index" --seconds "$seconds" --warmup-seconds "$warmup")
  log "$title: plain run, ef $ef"
  "$java" "${jvm[@]}" -cp "$jar" io.zerocopy.bench.hnsw.SearchProfile "${args[@]}" \
    > "$out/$slug-plain.txt" 2> "$out/$slug-plain.log"
  cat "$out/$slug-plain.txt" >&2
  log "$title: under async-profiler"
  "$java" "${jvm[@]}" -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -agentpath:"$agent=start,event=itimer,interval=1ms,cstack=vm,collapsed,file=$out/$slug.collapsed" \
    -cp "$jar" io.zerocopy.bench.hnsw.SearchProfile "${args[@]}" \
    > "$out/$slug-profiled.txt" 2> "$out/$slug-profiled.log"
  local ns qps scored read
  ns=$(sed -n 's/.*ns_per_scored=\([0-9.]*\).*/\1/p' "$out/$slug-plain.txt")
  qps=$(sed -n 's/.*qps=\([0-9.]*\).*/\1/p' "$out/$slug-plain.txt")
  scored=$(sed -n 's/.*scored_per_query=\([0-9.]*\).*/\1/p' "$out/$slug-plain.txt")
  read=$(sed -n 's/.*ns_per_random_read=\([0-9.]*\).*/\1/p' "$out/$slug-plain.txt")
  log "$title: hnswlib at ef $ef"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" "$bench/python/native_peers.py" \
    --library hnswlib --train "$train" --queries "$queries" --query-count 1000 --metric "$metric" \
    --ef "$ef" --passes 5 --csv "$out/$slug-hnswlib.csv" 2> "$out/$slug-hnswlib.log"
  local peer
  peer=$(tail -1 "$out/$slug-hnswlib.csv" | awk -F, '{print $NF}')
  {
    echo "#### $title, ef $ef"
    echo
    echo "Ours: $(printf '%.0f' "$qps") QPS, $scored vectors scored per query, $ns ns per scored vector;"
    echo "copying one vector at a random id out of the mapping, alone, costs $read ns (the floor of a read-then-score design)."
    echo "hnswlib 0.8.0 at the same ef: $(printf '%.0f' "$peer") QPS (ours/hnswlib $(awk -v a="$qps" -v b="$peer" 'BEGIN{printf "%.2f", a/b}'));"
    echo "charged to our count of scored vectors, $(awk -v q="$peer" -v s="$scored" 'BEGIN{printf "%.1f", 1e9/q/s}') ns each."
    echo
    "$venv/bin/python" "$bench/python/profile_table.py" "$out/$slug.collapsed" --ns-per-scored "$ns"
    echo
  } >> "$out/tables.md"
}

: > "$out/tables.md"
profile fashion-mnist "$TRAIN_VEC" "$TEST_VEC" l2 "$ef_fashion" "Fashion-MNIST (60,000 x 784, L2)"
profile wordnet-minilm "$WORDNET_TRAIN_VEC" "$WORDNET_QUERIES_VEC" cosine "$ef_minilm" \
  "WordNet MiniLM ($WORDNET_TRAIN_COUNT x 384, cosine)"

{
  echo "## Search profile, cost per visited node: $(machine date), JDK $(machine jdk)$([[ $quick -eq 1 ]] && echo ' (SMOKE: short phases)')"
  echo
  echo "- command: \`$command\` (raw output: \`bench/target/profile-run-$stamp/\`)"
  echo "- commit: $(machine commit)"
  echo "- machine: $(machine cpu), $(machine cores) cores, $(machine ram) RAM; $(machine java)"
  echo "- M 16, efConstruction 200, k 10, 1,000 queries round-robin on one thread for ${seconds} s after"
  echo "  ${warmup} s of warm-up; async-profiler $profiler_version, itimer at 1 ms, samples of the measured"
  echo "  phase only, each charged to the engine frame nearest the leaf, except samples in HotSpot's copy"
  echo "  stub (where reading out of the mapping waits for memory), a part of their own."
  echo
  cat "$out/tables.md"
} > "$out/section.md"

bench_publish RESULTS-profile-smoke.md
