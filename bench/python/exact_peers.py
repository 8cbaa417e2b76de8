"""Exact k-NN outside the JVM, on the same .vec files as ExactComparison (issue 28 step 5).

One library per process (--library): numpy (OpenBLAS: one sgemv per single query, one sgemm per
batch of 100, on the memory-mapped train file, as numpy_batch.py) or faiss IndexFlatL2 /
IndexFlatIP (faiss copies the vectors into its own memory; cosine runs on a normalised copy).
Single queries run round-robin for --seconds after a warm-up; the batch of --batch-queries runs
--repeats times after one warm-up pass (the median). Threads: --threads for OpenBLAS and OpenMP.
Agreement: the share of our top-k ids (--ours, .ivecs from ExactComparison) that the library's
batch also returns. Prints one JSON object.
"""

import argparse
import importlib.metadata
import json
import time

import numpy as np

from native_peers import blas_description, normalised, read_ivecs, recall
from numpy_batch import open_vec


def top_k(scores, k):
    """Ids of the k smallest scores per row, ascending."""
    part = np.argpartition(scores, k, axis=1)[:, :k]
    order = np.take_along_axis(scores, part, axis=1).argsort(axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


class Numpy:
    """||x||^2 - 2 q.x (+ ||q||^2) for L2, 1 - q.x / (|q| |x|) for cosine, -q.x for dot."""

    def __init__(self, train, metric):
        self.train, self.metric = train, metric
        started = time.perf_counter()
        self.norms = np.einsum("ij,ij->i", train, train)
        if metric == "cosine":
            self.norms = np.sqrt(self.norms)
            self.norms[self.norms == 0] = 1.0
        self.fit_seconds = time.perf_counter() - started

    def version(self):
        return f"numpy {np.__version__}"

    def search(self, queries, k, batch=100):
        ids = np.empty((len(queries), k), dtype=np.int64)
        for start in range(0, len(queries), batch):
            q = np.ascontiguousarray(queries[start : start + batch], dtype=np.float32)
            dots = q @ self.train.T
            if self.metric == "l2":
                scores = self.norms[None, :] - 2.0 * dots
            elif self.metric == "cosine":
                scores = -dots / self.norms[None, :]  # the query's norm does not change the order
            else:
                scores = -dots
            ids[start : start + batch] = top_k(scores, k)
        return ids


class Faiss:
    def __init__(self, train, metric):
        import faiss

        self.faiss = faiss
        started = time.perf_counter()
        data = normalised(train) if metric == "cosine" else np.ascontiguousarray(train)
        self.index = (faiss.IndexFlatL2 if metric == "l2" else faiss.IndexFlatIP)(data.shape[1])
        self.index.add(data)
        self.fit_seconds = time.perf_counter() - started

    def version(self):
        return f"faiss-cpu {importlib.metadata.version('faiss-cpu')} IndexFlat"

    def search(self, queries, k):
        return self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)[1]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--library", required=True, choices=["numpy", "faiss"])
    p.add_argument("--train", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--metric", required=True, choices=["l2", "cosine", "dot"])
    p.add_argument("--ours", required=True, help="our batch's neighbour ids (.ivecs)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--single-queries", type=int, default=100)
    p.add_argument("--batch-queries", type=int, default=1000)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--warmup-seconds", type=float, default=3)
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()

    train = open_vec(a.train)
    test = open_vec(a.queries)
    if a.batch_queries > len(test):
        p.error(f"{a.queries}: --batch-queries {a.batch_queries}, the file holds {len(test)}")
    batch = np.array(test[: a.batch_queries])
    ours = read_ivecs(a.ours)
    if ours.shape != (len(batch), a.k):
        p.error(f"{a.ours}: {ours.shape[0]} rows of {ours.shape[1]} ids, expected "
                f"{len(batch)} of {a.k}")
    if a.library == "faiss":
        import faiss

        faiss.omp_set_num_threads(a.threads)
    library = (Faiss if a.library == "faiss" else Numpy)(train, a.metric)

    single = batch[: a.single_queries]
    for phase in ("warm-up", "measure"):
        seconds = a.warmup_seconds if phase == "warm-up" else a.seconds
        searched = 0
        started = time.perf_counter()
        while True:
            library.search(single[searched % len(single) : searched % len(single) + 1], a.k)
            searched += 1
            if time.perf_counter() - started >= seconds:
                break
    single_qps = searched / (time.perf_counter() - started)

    ids = library.search(batch, a.k)
    times = []
    for _ in range(a.repeats):
        started = time.perf_counter()
        ids = library.search(batch, a.k)
        times.append(time.perf_counter() - started)
    times.sort()
    print(json.dumps({
        "library": library.version(),
        "blas": blas_description(),
        "threads": a.threads,
        "fit_seconds": library.fit_seconds,
        "single_queries_per_second": single_qps,
        "single_gb_per_second": single_qps * train.size * 4 / 1e9,
        "batch_queries": len(batch),
        "batch_seconds": times[len(times) // 2],
        "agreement": recall(ids, ours, a.k),
    }))


if __name__ == "__main__":
    main()
