#!/usr/bin/env bash
# Long fuzzing runs of the Jazzer targets (issue 7), one target at a time: each uses one core.
#
#   bench/run-fuzz.sh                 every target for ZCS_FUZZ_DURATION (default 10m) each
#   bench/run-fuzz.sh hnsw manifest   only the named targets
#
# A finding fails the target's run and Jazzer writes the input as crash-<sha1> into the target's
# src/test/resources/.../<Test>Inputs/<method>/ directory, where it stays as a regression seed once
# the reader is fixed. Logs and a summary (executions, findings) go to bench/target/fuzz-<UTC time>/.
set -uo pipefail
cd "$(dirname "$0")/.."

DURATION="${ZCS_FUZZ_DURATION:-10m}"
declare -A TARGETS=(
  [vec]="engine io.zerocopy.engine.store.VecFileFuzzTest#openAndRead"
  [hnsw]="engine io.zerocopy.engine.hnsw.HnswFileFuzzTest#openAndSearch"
  [centroids]="engine io.zerocopy.engine.cluster.CentroidsFileFuzzTest#read"
  [i8]="engine io.zerocopy.engine.codes.Int8CodesFuzzTest#openAndScore"
  [pq]="engine io.zerocopy.engine.codes.PqCodesFuzzTest#openAndScore"
  [fvecs]="datasets io.zerocopy.datasets.DatasetFilesFuzzTest#fvecs"
  [ivecs]="datasets io.zerocopy.datasets.DatasetFilesFuzzTest#ivecs"
  [idx]="datasets io.zerocopy.datasets.DatasetFilesFuzzTest#idx"
  [manifest]="spark-connector io.zerocopy.spark.dataset.VecManifestFuzzTest#parse"
  [ids]="spark-connector io.zerocopy.spark.dataset.IdsFileFuzzTest#read"
)
ORDER=(vec hnsw centroids i8 pq fvecs ivecs idx manifest ids)
if [ $# -gt 0 ]; then ORDER=("$@"); fi

OUT="bench/target/fuzz-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
SUMMARY="$OUT/summary.txt"
echo "fuzzing ${ORDER[*]} for $DURATION each on $(java -version 2>&1 | head -1); logs in $OUT"
status=0
for name in "${ORDER[@]}"; do
  spec="${TARGETS[$name]:-}"
  if [ -z "$spec" ]; then
    echo "unknown target '$name': expected one of ${!TARGETS[*]}" >&2
    exit 2
  fi
  module="${spec%% *}"
  test="${spec#* }"
  log="$OUT/$name.log"
  if [ "$module" = engine ]; then
    # one surefire execution (the Vector API kernel); the scalar one would fuzz a second time
    goals=(-pl engine test-compile surefire:test@default-test)
    includes='io.zerocopy.**'
  elif [ "$module" = datasets ]; then
    goals=(-pl datasets -am test-compile surefire:test -Dsurefire.failIfNoSpecifiedTests=false)
    includes='io.zerocopy.**'
  else
    goals=(-pl spark-connector -am test-compile surefire:test -Dsurefire.failIfNoSpecifiedTests=false)
    includes='io.zerocopy.**:org.apache.arrow.**' # coverage inside Arrow's IPC reader too
  fi
  echo "== $name ($test), $DURATION"
  JAZZER_FUZZ=1 mvn -B -o -q "${goals[@]}" "-Dtest=$test" \
    "-Djazzer.max_duration=$DURATION" \
    "-Djazzer.instrumentation_includes=$includes" "-Djazzer.hookIncludes=$includes" \
    >"$log" 2>&1
  result=$?
  runs=$(grep -aoE "Done [0-9]+ runs in [0-9]+ second" "$log" | tail -1)
  finding=$(grep -ahoE 'FuzzTestFindingException: [^ ]+.*' "$log" | head -1)
  line="$name: ${runs:-no run count (see $log)}; ${finding:-no finding}"
  [ $result -ne 0 ] && [ -z "$finding" ] && line="$line; maven exit $result (see $log)"
  echo "$line" | tee -a "$SUMMARY"
  [ $result -ne 0 ] && status=1
done
exit $status
