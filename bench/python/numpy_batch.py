"""Batch exact k-NN with numpy's float32 matrix-product method, on the same .vec files.

The competitor for BatchSearchBenchmark: the first --queries vectors of the test file against
every vector of the train file, L2, k=10, in batches of 100, the way ann-benchmarks' BLAS
brute force does it: ||q||^2 + ||x||^2 - 2 q.x with one sgemm per batch, then argpartition and a
sort of the k survivors. The train file is read through np.memmap (DESIGN.md), not copied; the
norms ||x||^2 are computed once ("fit") and timed apart from the queries.

Prints a JSON object; with --ids-out also writes the neighbour ids as .ivecs so the driver can
check that both sides return the same neighbours. Set OPENBLAS_NUM_THREADS for the thread count.
"""

import argparse
import json
import os
import struct
import sys
import time

import numpy as np

MAGIC = 0x56454354
HEADER = 32


def open_vec(path):
    """Maps a .vec file read-only after checking its header against its size."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        header = f.read(HEADER)
    if len(header) < HEADER:
        sys.exit(f"{path}: invalid file size: expected at least 32 bytes, found {size}")
    magic, version, count, dimension = struct.unpack_from("<IIQI", header)
    if magic not in (MAGIC, int.from_bytes(struct.pack(">I", MAGIC), "little")):
        sys.exit(f"{path}: invalid magic: expected 0x{MAGIC:08X}, found 0x{magic:08X}")
    if version != 1 or dimension == 0:
        sys.exit(f"{path}: invalid header: version {version}, dimension {dimension}")
    expected = HEADER + count * dimension * 4
    if size != expected:
        sys.exit(f"{path}: invalid file size: expected {expected} bytes, found {size}")
    return np.memmap(path, dtype="<f4", mode="r", offset=HEADER, shape=(count, dimension))


def search(train, norms, queries, k, batch):
    ids = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), batch):
        q = np.ascontiguousarray(queries[start : start + batch], dtype=np.float32)
        d = norms[None, :] - 2.0 * (q @ train.T)
        d += np.einsum("ij,ij->i", q, q)[:, None]
        part = np.argpartition(d, k, axis=1)[:, :k]
        order = np.take_along_axis(d, part, axis=1).argsort(axis=1, kind="stable")
        ids[start : start + batch] = np.take_along_axis(part, order, axis=1)
    return ids


def write_ivecs(path, ids):
    n, k = ids.shape
    rows = np.empty((n, k + 1), dtype="<i4")
    rows[:, 0] = k
    rows[:, 1:] = ids
    tmp = path + ".tmp"
    rows.tofile(tmp)
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--ids-out")
    p.add_argument("--json")
    a = p.parse_args()

    train = open_vec(a.train)
    test = open_vec(a.test)
    if a.queries > len(test):
        sys.exit(f"{a.test}: asked for {a.queries} queries, the file holds {len(test)}")
    queries = np.array(test[: a.queries])

    t0 = time.perf_counter()
    norms = np.einsum("ij,ij->i", train, train)
    fit_seconds = time.perf_counter() - t0

    for _ in range(a.warmup):
        ids = search(train, norms, queries, a.k, a.batch)
    times = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        ids = search(train, norms, queries, a.k, a.batch)
        times.append(time.perf_counter() - t0)
    if a.ids_out:
        write_ivecs(a.ids_out, ids)

    times.sort()
    result = {
        "numpy": np.__version__,
        "queries": a.queries,
        "batch": a.batch,
        "k": a.k,
        "threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "fit_seconds": fit_seconds,
        "seconds": times,
        "median_seconds": times[len(times) // 2],
        "queries_per_second": a.queries / times[len(times) // 2],
    }
    text = json.dumps(result)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
