"""The markdown table of one data set's run of bench/run-exact-benchmarks.sh."""

import argparse
import json
import os


def key_values(path):
    with open(path) as f:
        return dict(pair.split("=", 1) for pair in f.read().split())


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dir", required=True)
    p.add_argument("--slug", required=True)
    p.add_argument("--title", required=True)
    a = p.parse_args()
    at = lambda name: os.path.join(a.dir, f"{a.slug}-{name}")  # noqa: E731
    scan = key_values(at("scan.txt"))
    ours = key_values(at("ours.txt"))
    peers = {}
    for library in ("numpy", "faiss"):
        with open(at(f"{library}.json")) as f:
            peers[library] = json.load(f)
    c_gbs = float(scan["gb_per_second"])
    our_gbs = float(ours["single_gb_per_second"])
    our_qps = float(ours["single_queries_per_second"])
    our_batch = float(ours["batch_seconds"])
    print(f"#### {a.title}")
    print()
    print("| | single query: queries/s | GB/s | batch of "
          f"{ours['batch_queries']}: s | agreement with ours |")
    print("|---|---:|---:|---:|---:|")
    print(f"| C read loop (no search) | {float(scan['gb_per_second']) * 1e9 / float(scan['bytes']):,.1f}"
          f" | {c_gbs:.1f} | - | - |")
    print(f"| ours (JDK {ours['jdk']}) | {our_qps:,.1f} | {our_gbs:.1f} | {our_batch:.3f} | - |")
    for library, r in peers.items():
        print(f"| {r['library']} | {r['single_queries_per_second']:,.1f} | "
              f"{r['single_gb_per_second']:.1f} | {r['batch_seconds']:.3f} | {r['agreement']:.4f} |")
    best_single = max(r["single_queries_per_second"] for r in peers.values())
    best_batch = min(r["batch_seconds"] for r in peers.values())
    print()
    print(f"- single query: ours at **{our_gbs / c_gbs:.0%}** of the C loop's read bandwidth "
          f"(target >= 85%); ours/best peer queries/s **{our_qps / best_single:.2f}**")
    print(f"- batch: ours/best peer speed **{best_batch / our_batch:.2f}** "
          f"(target >= 1; best peer {best_batch:.3f} s)")
    print(f"- BLAS loaded by the peers: {peers['faiss']['blas']}")
    print()


if __name__ == "__main__":
    main()
