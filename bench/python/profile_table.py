"""Splits a sampled search profile into the parts of one visited node's cost.

Reads async-profiler's collapsed stacks (one line per distinct stack: frames root first, separated
by ';', then the sample count) of bench.hnsw.SearchProfile, keeps the samples under
SearchProfile.measure (the measured phase), and charges each to the engine frame nearest the leaf
(a JDK frame is charged to the engine method that called it; samples in HotSpot's copy stub, where
reading a vector out of the mapping waits for memory, are a part of their own). With the
nanoseconds per scored vector that SearchProfile printed, prints a markdown table: each part's
share of the samples and its nanoseconds per scored vector.
"""

import argparse
import re
import sys

# (part, pattern on the nearest engine frame), first match wins
PARTS = [
    # the walk scores vectors in place: a load that misses stalls here, or in the arithmetic
    # that consumes it (the sums below), so the two parts share the memory's wait
    ("vector loads in place (PanamaMappedKernel.lane: the memory misses)",
     re.compile(r"PanamaMappedKernel\.lane")),
    ("distance kernel (SIMD arithmetic, and the loads it waits for)",
     re.compile(r"engine/distance/|engine\.distance\.")),
    ("vector read from the mapped .vec (copy into a heap array: cosine re-scoring, copy path)",
     re.compile(r"engine/store/VectorStore|engine\.store\.VectorStore")),
    ("neighbour list read from the mapped .hnsw",
     re.compile(r"MappedGraph|HeapGraph")),
    ("visited set", re.compile(r"VisitedSet")),
    ("candidate and result heaps", re.compile(r"LongHeap")),
    ("scorer glue (StoreScorer, metric dispatch)", re.compile(r"StoreScorer|VectorScorer")),
    ("search loop itself (GraphSearch)", re.compile(r"GraphSearch")),
    ("per query (lock, checks, context, results)",
     re.compile(r"HnswIndex|SearchContext|EntryPoint|search/Neighbor|search\.Neighbor")),
]


# HotSpot's copy stubs (Unsafe.copyMemory of a mapped buffer into an array lands here): where
# the cache and DRAM misses of reading a vector show up. The Java frames a sampler attaches to a
# stub's samples are not reliable (seen: a stale caller), so the stub's own name decides.
COPY_STUB = re.compile(r"arraycopy|copyMemory|_fill")
COPY_PART = "copying vectors and lists out of the mapping (HotSpot's copy stub: the memory misses)"


def part_of(frames):
    if frames and COPY_STUB.search(frames[-1]) and "zerocopy" not in frames[-1]:
        return COPY_PART
    for frame in reversed(frames):
        if "zerocopy/engine" in frame or "zerocopy.engine" in frame:
            for name, pattern in PARTS:
                if pattern.search(frame):
                    return name
            return "other engine code"
    return "outside the engine (JDK, JIT, GC)"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("collapsed")
    p.add_argument("--ns-per-scored", type=float, required=True)
    p.add_argument("--title", default="")
    a = p.parse_args()

    totals = {}
    kept = 0
    with open(a.collapsed) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            stack, _, count = line.rpartition(" ")
            frames = stack.split(";")
            if not any("SearchProfile.measure" in fr for fr in frames):
                continue
            n = int(count)
            kept += n
            part = part_of(frames)
            totals[part] = totals.get(part, 0) + n
    if kept == 0:
        sys.exit(f"{a.collapsed}: no samples under SearchProfile.measure")
    order = [COPY_PART] + [name for name, _ in PARTS] + ["other engine code",
                                                         "outside the engine (JDK, JIT, GC)"]
    if a.title:
        print(f"**{a.title}**\n")
    print("| part of a visited node's cost | share of samples | ns per scored vector |")
    print("|---|---:|---:|")
    for name in order:
        if name in totals:
            share = totals[name] / kept
            print(f"| {name} | {100 * share:.1f}% | {share * a.ns_per_scored:.1f} |")
    print(f"| **all** ({kept:,} samples) | 100% | {a.ns_per_scored:.1f} |")


if __name__ == "__main__":
    main()
