#!/usr/bin/env bash
# The Python package's costs (issue 6, item 4), on the current JAVA_HOME, one run:
#   (a) bridge overhead   HNSWIndex.search from Python (py4j) vs HnswIndex.search in Java
#                         (SearchLatency): same saved index over the 60,000 Fashion-MNIST training
#                         images, the same 1,000 test images as queries, k=10, ef=64, one thread
#   (b) VectorStore.create from a 1,000,000 x 384 float32 numpy array, vs numpy writing the
#                         same bytes (header + tofile + fsync)
# Appends a dated section to bench/RESULTS.md.
#
#   bench/run-python-benchmarks.sh           the real measurement (quiet machine, ~5 min, ~3 GB disk, ~2 GB RAM)
#   bench/run-python-benchmarks.sh --quick   a smoke run: 5,000 items, 100 queries, 20,000 x 384;
#                                            the section goes to bench/target/RESULTS-smoke.md only
# Settings (environment): JAVA_HOME; ZCS_CACHE_DIR (~/.cache/zero-copy-search).
set -euo pipefail

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument '$arg' (expected --quick)" >&2; exit 2 ;;
  esac
done

bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench")
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
items=60000 queries=1000 rounds=5 create_n=1000000
if [[ $quick -eq 1 ]]; then
  items=5000 queries=100 rounds=2 create_n=20000
fi
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$bench/target/python-run-$stamp
mkdir -p "$out"
command="bench/run-python-benchmarks.sh${*:+ $*}"
[[ -n "${JAVA_HOME:-}" ]] && command="JAVA_HOME=$JAVA_HOME $command"
log() { echo "== $*" >&2; }
# the generated files are large in the real run
trap 'rm -f "$out"/*.vec "$out"/*.hnsw "$out"/.zcs-*' EXIT

log "build (bench/target/benchmarks.jar; the connector jar into the Python package)"
(cd "$root" && mvn -B -q -DskipTests -Dspotless.apply.skip=true -Dspotless.check.skip=true \
  -pl bench,spark-connector -am package)
jar=$bench/target/benchmarks.jar

log "data: Fashion-MNIST; Python: .venv (requirements-test.txt) with the package from this tree"
[[ -d /usr/share/datasets/fashion-mnist ]] || "$root/scripts/install-data.sh"
"$java" -cp "$jar" io.zerocopy.bench.PrepareData > "$out/data.env"
# shellcheck disable=SC1091
source "$out/data.env"
"$root/scripts/python-env.sh"
python=$root/.venv/bin/python
export PYTHONPATH=$root/spark-connector/python${PYTHONPATH:+:$PYTHONPATH}

log "(a) bridge overhead: $items items, $queries queries, $rounds rounds"
"$python" "$bench/python/bridge_overhead.py" --train "$TRAIN_VEC" --test "$TEST_VEC" --items "$items" \
  --queries "$queries" --rounds "$rounds" --jar "$jar" --out "$out" 2> "$out/bridge.err" | tee "$out/bridge.json" >&2

log "(b) VectorStore.create: $create_n x 384"
"$python" "$bench/python/store_create.py" --out "$out" --n "$create_n" --dimension 384 \
  2> "$out/create.err" | tee "$out/create.json" >&2

log "summary"
"$python" - "$out" "$command" "$java" "$quick" > "$out/section.md" <<'PY'
import json, os, subprocess, sys
out, command, java, quick = sys.argv[1:]
bridge = json.load(open(os.path.join(out, "bridge.json")))
create = json.load(open(os.path.join(out, "create.json")))
jdk = subprocess.run([java, "-version"], capture_output=True, text=True).stderr.splitlines()[0]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
root = os.path.dirname(os.path.dirname(os.path.dirname(out)))
commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
if subprocess.run(["git", "-C", root, "diff", "--quiet"]).returncode != 0:
    commit += " (+ local changes)"
smoke = " (SMOKE RUN: small sizes, not a measurement)" if quick == "1" else ""
print(f"## Python package: bridge overhead and VectorStore.create{smoke}\n")
print(f"`{command}` at {commit}; {cpu}, {os.cpu_count()} cores; {jdk}; Python through py4j 0.10.9.9.\n")
print(f"(a) `HNSWIndex.search` from Python vs `HnswIndex.search` in Java: the same saved index "
      f"(Fashion-MNIST, {bridge['items']:,} x {bridge['dimension']}, m=16, ef_construction=200, L2), "
      f"the same {bridge['queries']:,} test images, k={bridge['k']}, ef={bridge['ef']}, one thread, "
      f"{bridge['rounds']} timed rounds after warm-up; identical neighbours checked.\n")
print("| | median µs | mean µs |\n|---|---|---|")
print(f"| Python (py4j) | {bridge['python_median_us']} | {bridge['python_mean_us']} |")
print(f"| Java | {bridge['java_median_us']} | {bridge['java_mean_us']} |")
print(f"| **Python / Java** | **{bridge['median_ratio']}x** (+{bridge['overhead_median_us']} µs) | |\n")
print(f"(b) `VectorStore.create` from a {create['n']:,} x {create['dimension']} float32 numpy array "
      f"({create['gigabytes']} GB), median of {create['repeats']}, vs numpy writing the same `.vec` bytes:\n")
print("| | seconds | GB/s |\n|---|---|---|")
print(f"| VectorStore.create | {create['create_seconds']} | {create['create_gb_per_s']} |")
print(f"| numpy header + tofile + fsync | {create['numpy_seconds']} | "
      f"{round(create['gigabytes'] / create['numpy_seconds'], 2)} |")
print(f"| **create / numpy** | **{create['ratio']}x** | |")
PY
if [[ $quick -eq 1 ]]; then
  { echo; cat "$out/section.md"; } >> "$bench/target/RESULTS-smoke.md"
  log "smoke run: NOT appended to bench/RESULTS.md; see $bench/target/RESULTS-smoke.md"
else
  { echo; cat "$out/section.md"; } >> "$bench/RESULTS.md"
  log "appended to bench/RESULTS.md"
fi
cat "$out/section.md"
