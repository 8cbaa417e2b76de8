"""Bridge overhead: HNSWIndex.search from Python (py4j to the engine's JVM) against the same
search in Java (SearchLatency), same saved index, same queries, one run. Prints one JSON line.

    python bridge_overhead.py --train TRAIN.vec --test TEST.vec --items N --queries Q \
        --jar benchmarks.jar --out DIR [--k 10 --ef 64 --warmup 3 --rounds 5]
"""

import argparse
import json
import os
import statistics
import subprocess
import time

import numpy as np

from zero_copy_search import HNSWIndex, VectorStore


def main():
    parser = argparse.ArgumentParser()
    for name in ("--train", "--test", "--jar", "--out"):
        parser.add_argument(name, required=True)
    for name, default in (("--items", 60000), ("--queries", 1000), ("--k", 10), ("--ef", 64),
                          ("--warmup", 3), ("--rounds", 5)):
        parser.add_argument(name, type=int, default=default)
    parser.add_argument("--java", default=os.path.join(os.environ["JAVA_HOME"], "bin", "java")
                        if os.environ.get("JAVA_HOME") else "java")
    args = parser.parse_args()

    train = VectorStore.open(args.train).to_numpy()[: args.items]
    items_vec = os.path.join(args.out, "bridge-items.vec")
    index_path = os.path.join(args.out, "bridge-items.hnsw")
    VectorStore.create(items_vec, np.asarray(train))
    started = time.perf_counter()
    built = HNSWIndex(VectorStore.open(items_vec), m=16, ef_construction=200, metric="l2")
    built.build()
    build_seconds = time.perf_counter() - started
    built.save(index_path)
    built.close()

    # both sides search the saved graph, mapped, with the queries read from the same .vec file
    index = HNSWIndex.load(items_vec, index_path)
    queries = np.array(VectorStore.open(args.test).to_numpy()[: args.queries])
    for _ in range(args.warmup):
        for q in queries:
            index.search(q, k=args.k, ef=args.ef)
    nanos, ids = [], []
    for _ in range(args.rounds):
        ids = []
        for q in queries:
            start = time.perf_counter_ns()
            found = index.search(q, k=args.k, ef=args.ef)
            nanos.append(time.perf_counter_ns() - start)
            ids.append([i for i, _ in found])
    index.close()

    java = subprocess.run(
        [args.java, "--add-modules", "jdk.incubator.vector", "-cp", args.jar, "io.zerocopy.bench.SearchLatency",
         items_vec, index_path, args.test, str(args.queries), str(args.k), str(args.ef),
         str(args.warmup), str(args.rounds)],
        check=True, capture_output=True, text=True,
    )
    baseline = json.loads(java.stdout.strip().splitlines()[-1])
    same = sum(a == b for a, b in zip(ids, baseline["ids"]))
    if same != len(ids):
        raise SystemExit(f"Python and Java found different neighbours for {len(ids) - same} of {len(ids)} queries")
    python_median = statistics.median(nanos) / 1e3
    python_mean = statistics.fmean(nanos) / 1e3
    print(json.dumps({
        "items": len(train), "dimension": train.shape[1], "queries": len(queries), "k": args.k, "ef": args.ef,
        "rounds": args.rounds, "build_seconds": round(build_seconds, 2),
        "python_median_us": round(python_median, 1), "python_mean_us": round(python_mean, 1),
        "java_median_us": round(baseline["median_us"], 1), "java_mean_us": round(baseline["mean_us"], 1),
        "median_ratio": round(python_median / baseline["median_us"], 2),
        "overhead_median_us": round(python_median - baseline["median_us"], 1),
    }))


if __name__ == "__main__":
    main()
