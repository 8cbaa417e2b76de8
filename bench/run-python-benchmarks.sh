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

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args -- "$@"
items=60000 queries=1000 rounds=5 create_n=1000000
if [[ $quick -eq 1 ]]; then
  items=5000 queries=100 rounds=2 create_n=20000
fi
bench_out python-run
# the generated files are large in the real run
trap 'rm -f "$out"/*.vec "$out"/*.hnsw "$out"/.zcs-*' EXIT

bench_build bench,spark-connector # the connector jar goes into the Python package

log "data: Fashion-MNIST; Python: .venv (requirements-test.txt) with the package from this tree"
bench_fashion_mnist
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
bench_machine
"$python" - "$out" "$command" "$java" "$quick" > "$out/section.md" <<'PY'
import json, os, sys
out, command, java, quick = sys.argv[1:]
bridge = json.load(open(os.path.join(out, "bridge.json")))
create = json.load(open(os.path.join(out, "create.json")))
machine = dict(line.rstrip("\n").split("=", 1) for line in open(os.path.join(out, "machine.txt")))
jdk, cpu, commit = machine["java"], machine["cpu"], machine["commit"]
smoke = " (SMOKE RUN: small sizes, not a measurement)" if quick == "1" else ""
print(f"## Python package: bridge overhead and VectorStore.create{smoke}\n")
print(f"`{command}` at {commit}; {cpu}, {machine['cores']} cores; {jdk}; Python through py4j 0.10.9.9.\n")
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
bench_publish RESULTS-smoke.md
