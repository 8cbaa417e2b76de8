"""VectorStore.create from an (n, d) float32 numpy array, against numpy writing the same bytes
(the .vec header + array.tofile + fsync: the floor for any writer). Prints one JSON line.

    python store_create.py --out DIR [--n 1000000 --dimension 384 --repeats 3]
"""

import argparse
import json
import os
import statistics
import struct
import time

import numpy as np

from zero_copy_search import VectorStore


def numpy_write(path, array):
    with open(path, "wb") as f:
        f.write(struct.pack("<IIQII8x", 0x56454354, 1, array.shape[0], array.shape[1], 0))
        array.tofile(f)
        f.flush()
        os.fsync(f.fileno())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--dimension", type=int, default=384)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    # the content does not matter to a writer; Gaussian so that nothing compresses or is zero
    array = np.random.default_rng(0).standard_normal((args.n, args.dimension), dtype=np.float32)
    ours, floor = [], []
    path = os.path.join(args.out, "create.vec")
    VectorStore.create(path, array[:1000])  # starts the JVM outside the timing
    for _ in range(args.repeats):
        os.unlink(path)
        started = time.perf_counter()
        VectorStore.create(path, array)
        ours.append(time.perf_counter() - started)
        os.unlink(path)
        started = time.perf_counter()
        numpy_write(path, array)
        floor.append(time.perf_counter() - started)
    store = VectorStore.open(path)
    assert (len(store), store.dimension()) == array.shape
    store.close()
    os.unlink(path)
    gigabytes = array.nbytes / 1e9
    print(json.dumps({
        "n": args.n, "dimension": args.dimension, "gigabytes": round(gigabytes, 3), "repeats": args.repeats,
        "create_seconds": round(statistics.median(ours), 3), "numpy_seconds": round(statistics.median(floor), 3),
        "create_gb_per_s": round(gigabytes / statistics.median(ours), 2),
        "ratio": round(statistics.median(ours) / statistics.median(floor), 2),
    }))


if __name__ == "__main__":
    main()
