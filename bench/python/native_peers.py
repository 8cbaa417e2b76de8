"""HNSW outside the JVM, for HnswComparison: hnswlib (C++) and faiss IndexHNSWFlat.

Runs as a child of bench.hnsw.HnswComparison, one process per library (so that RSS is its own);
the JVM computed the exact neighbours (--truth, .ivecs) with our exact kernel, so that every
library's recall is read against the same answers. The library builds over the same .vec training vectors with the same M, efConstruction and build
threads, then answers the same queries over the same ef sweep on ONE thread (one call per pass over
all queries with the library's thread count at 1: the loop runs in C++, so no Python call per query
is timed), best QPS of --passes passes. Writes one CSV row per (library, ef).

Cosine: hnswlib's 'cosine' space and faiss's inner product on a normalised copy (hnswlib also
normalises what it stores); the normalisation counts towards the build time.
"""

import argparse
import csv
import importlib.metadata
import os
import sys
import time

import numpy as np

from numpy_batch import open_vec


def read_ivecs(path):
    raw = np.fromfile(path, dtype="<i4")
    if raw.size == 0:
        return np.empty((0, 0), dtype=np.int32)
    k = int(raw[0])
    return raw.reshape(-1, k + 1)[:, 1:]


def recall(found, truth, k):
    total = 0.0
    for row, exact in zip(found, truth):
        want = exact[:k]
        total += len(set(int(i) for i in row[:k] if i >= 0) & set(int(i) for i in want)) / len(want)
    return total / len(found)


def rss_mb():
    """VmRSS, RssAnon and RssFile of this process in MiB (-1 where /proc is missing)."""
    found = {"VmRSS:": -1.0, "RssAnon:": -1.0, "RssFile:": -1.0}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                key = line.split(" ", 1)[0].split("\t", 1)[0]
                if key in found:
                    found[key] = int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return found["VmRSS:"], found["RssAnon:"], found["RssFile:"]


def normalised(x):
    x = np.array(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


class Hnswlib:
    name = "hnswlib"
    layout = "heap (C++), level 0 links beside each vector"

    def version(self):
        return importlib.metadata.version("hnswlib")

    def notes(self):
        # hnswlib 0.8.0's setup.py compiles with -O3 -march=native where the compiler takes it
        return "built from the sdist with -O3 -march=native"

    def build(self, train, metric, m, ef_construction, threads):
        import hnswlib

        space = {"l2": "l2", "cosine": "cosine", "dot": "ip"}[metric]
        self.index = hnswlib.Index(space=space, dim=train.shape[1])
        self.index.init_index(max_elements=len(train), M=m, ef_construction=ef_construction,
                              random_seed=100)
        self.index.add_items(train, np.arange(len(train)), num_threads=threads)

    def search(self, queries, k, ef):
        self.index.set_ef(ef)
        labels, _ = self.index.knn_query(queries, k=k, num_threads=1)
        return labels


class FaissHnsw:
    name = "faiss-hnsw"
    layout = "heap (C++), IndexHNSWFlat"

    def version(self):
        import faiss

        return faiss.__version__

    def notes(self):
        import faiss

        return f"faiss-cpu wheel, SIMD {faiss.get_compile_options()}; BLAS {blas_description()}"

    def build(self, train, metric, m, ef_construction, threads):
        import faiss

        faiss.omp_set_num_threads(threads)
        self.metric = metric
        if metric == "cosine":
            data = normalised(train)
            self.index = faiss.IndexHNSWFlat(train.shape[1], m, faiss.METRIC_INNER_PRODUCT)
        elif metric == "dot":
            data = np.ascontiguousarray(train, dtype=np.float32)
            self.index = faiss.IndexHNSWFlat(train.shape[1], m, faiss.METRIC_INNER_PRODUCT)
        else:
            data = np.ascontiguousarray(train, dtype=np.float32)
            self.index = faiss.IndexHNSWFlat(train.shape[1], m)
        self.index.hnsw.efConstruction = ef_construction
        self.index.add(data)

    def search(self, queries, k, ef):
        import faiss

        faiss.omp_set_num_threads(1)
        params = faiss.SearchParametersHNSW(efSearch=ef)
        if self.metric == "cosine":
            queries = normalised(queries)
        _, labels = self.index.search(queries, k, params=params)
        return labels


LIBRARIES = {"hnswlib": Hnswlib, "faiss-hnsw": FaissHnsw}


def blas_description():
    try:
        import faiss  # noqa: F401 (loads faiss's own OpenBLAS so threadpoolctl sees it)
        from threadpoolctl import threadpool_info
    except ImportError as e:
        return f"unknown ({e})"
    parts = []
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            parts.append(f"{pool.get('internal_api')} {pool.get('version')} "
                         f"{pool.get('architecture')} ({os.path.basename(pool.get('filepath', ''))})")
    return "; ".join(parts) or "none loaded"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--query-count", type=int, required=True)
    p.add_argument("--truth", help=".ivecs of the exact neighbours, one row per query (without it:"
                   " no recall)")
    p.add_argument("--metric", choices=["l2", "cosine", "dot"], required=True)
    p.add_argument("--library", required=True, choices=sorted(LIBRARIES))
    p.add_argument("--ef", required=True, help="comma-separated beam widths")
    p.add_argument("--m", type=int, default=16)
    p.add_argument("--ef-construction", type=int, default=200)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--passes", type=int, default=3)
    p.add_argument("--csv", required=True)
    a = p.parse_args()

    names = [a.library]
    train = open_vec(a.train)
    queries = np.array(open_vec(a.queries)[: a.query_count], dtype=np.float32)
    truth = read_ivecs(a.truth) if a.truth else None
    if truth is not None and len(truth) != len(queries):
        sys.exit(f"{a.truth}: {len(truth)} rows of exact neighbours, expected {len(queries)}")
    efs = [int(e) for e in a.ef.split(",")]

    rows = []
    for n in names:
        lib = LIBRARIES[n]()
        version = lib.version()
        started = time.perf_counter()
        lib.build(train, a.metric, a.m, a.ef_construction, a.threads)
        build_s = time.perf_counter() - started
        print(f"[native-peers] {n} {version}: built in {build_s:.1f} s", file=sys.stderr)
        lib.search(queries, a.k, max(efs))  # warm-up
        for ef in efs:
            best = 0.0
            for _ in range(a.passes):
                t0 = time.perf_counter()
                labels = lib.search(queries, a.k, ef)
                best = max(best, len(queries) / (time.perf_counter() - t0))
            r = recall(labels, truth, a.k) if truth is not None else float("nan")
            print(f"[native-peers] {n}: ef={ef} recall@{a.k}={r:.4f} QPS={best:.0f}", file=sys.stderr)
            rss, anon, file = rss_mb()
            rows.append([n, version, lib.layout, lib.notes(), f"{build_s:.3f}", f"{rss:.1f}",
                         f"{anon:.1f}", f"{file:.1f}", ef, f"{r:.5f}", f"{best:.1f}"])
        del lib
    tmp = a.csv + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["library", "version", "layout", "notes", "build_s", "rss_mb", "rss_anon_mb",
                    "rss_file_mb", "ef", "recall", "qps"])
        w.writerows(rows)
    os.replace(tmp, a.csv)


if __name__ == "__main__":
    main()
