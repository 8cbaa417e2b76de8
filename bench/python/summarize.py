"""Turns one run of bench/run-engine-benchmarks.sh into a Markdown section of figures and ratios.

Reads the JSON files the driver left in --dir (JMH's kernels.json, exact.json, batch.json;
numpy.json, agreement.json, ltr.json, ltr-time.txt, machine.txt) and prints the section. Standard
library only: it runs on the system python, outside the venv.
"""

import argparse
import json
import os
import re


def load(directory, name):
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        text = f.read().strip()
    if not text:
        return None
    return json.loads(text)


def jmh_scores(rows):
    """{(method, params-tuple): (score, error, unit)} from a JMH JSON result list."""
    out = {}
    for r in rows or []:
        method = r["benchmark"].rsplit(".", 1)[1]
        params = tuple(sorted((r.get("params") or {}).items()))
        m = r["primaryMetric"]
        err = m.get("scoreError")
        try:
            err = float(err)
        except (TypeError, ValueError):
            err = float("nan")
        out[(method, params)] = (m["score"], err, m["scoreUnit"])
    return out


def fmt(x, digits=2):
    if x is None:
        return "n/a"
    if isinstance(x, float) and x != x:
        return "n/a"
    return f"{x:.{digits}f}"


def verdict(ok, text):
    return ("met: " if ok else "**short**: ") + text


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--command", required=True)
    p.add_argument("--train-bytes", type=int, required=True)
    p.add_argument("--smoke", action="store_true")
    a = p.parse_args()
    d = a.dir

    machine = {}
    with open(os.path.join(d, "machine.txt")) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                machine[k] = v

    lines = []
    title = f"## {machine.get('date', '?')}: JDK {machine.get('jdk', '?')}"
    if a.smoke:
        title += " (SMOKE RUN: tiny iterations, not a measurement)"
    lines += [title, ""]
    lines += [
        f"- command: `{a.command}`",
        f"- commit: `{machine.get('commit', '?')}`",
        f"- machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores,"
        f" {machine.get('ram', '?')} RAM; {machine.get('java', '?')};"
        f" numpy {machine.get('numpy', '?')} (OpenBLAS threads {machine.get('blas_threads', '?')})",
        f"- data: Fashion-MNIST (Debian dataset-fashion-mnist), 60,000 train x 784 float32"
        f" ({a.train_bytes / 1e6:.1f} MB mapped), test images as queries; L2, k=10",
        "",
    ]

    # (a) kernels
    k = jmh_scores(load(d, "kernels.json"))
    if k:
        lines += [
            "### (a) Distance kernels, SIMD vs scalar (ops/us, one pair of vectors, 1 thread)",
            "",
            "| dims | op | SIMD | scalar | SIMD/scalar |",
            "|---:|---|---:|---:|---:|",
        ]
        dims = sorted({int(dict(pr)["dimension"]) for (_, pr) in k})
        for dim in dims:
            for op in ("dot", "squareDistance", "cosine"):
                s = k.get((op, (("dimension", str(dim)), ("kernel", "simd"))))
                c = k.get((op, (("dimension", str(dim)), ("kernel", "scalar"))))
                if not s or not c:
                    continue
                lines.append(
                    f"| {dim} | {op} | {fmt(s[0])} | {fmt(c[0])} | **{fmt(s[0] / c[0], 1)}x** |"
                )
        for op, name in (("squareDistance", "L2"), ("dot", "dot")):
            s = k.get((op, (("dimension", "384"), ("kernel", "simd"))))
            c = k.get((op, (("dimension", "384"), ("kernel", "scalar"))))
            if s and c:
                r = s[0] / c[0]
                lines.append(
                    "- target SIMD >= 4x scalar at 384 dims, "
                    + name
                    + ": "
                    + verdict(r >= 4, f"{r:.1f}x" + ("" if r >= 4 else f" ({4 - r:.1f}x below)"))
                )
        lines.append("")

    # (b) single query vs scan
    e = jmh_scores(load(d, "exact.json"))
    if e:
        search = next((v for (m, _), v in e.items() if m == "search"), None)
        scan = next((v for (m, _), v in e.items() if m == "scan"), None)
        threads = next((dict(pr).get("threads") for (m, pr) in e if m == "search"), "?")
        lines += [
            f"### (b) Single-query exact search vs sequential scan ({threads} threads, mapped file in page cache)",
            "",
            "| | ops/s | GB/s | ms/op |",
            "|---|---:|---:|---:|",
        ]
        for name, v in (("search (k=10)", search), ("sequential scan", scan)):
            if v:
                lines.append(
                    f"| {name} | {fmt(v[0])} | {fmt(v[0] * a.train_bytes / 1e9)} | {fmt(1e3 / v[0])} |"
                )
        if search and scan:
            r = search[0] / scan[0]
            lines.append(
                "- search/scan bandwidth: **"
                + f"{100 * r:.0f}%**; target >= 70%: "
                + verdict(r >= 0.7, f"{100 * r:.0f}%" + ("" if r >= 0.7 else f" ({70 - 100 * r:.0f} points below)"))
            )
            lines.append(f"- single queries/s: {fmt(search[0], 1)} (C++ AVX-512 reference on this kind of machine: 185-215)")
        lines.append("")

    # (c) batch vs numpy
    b = jmh_scores(load(d, "batch.json"))
    n = load(d, "numpy.json")
    agree = load(d, "agreement.json")
    if b or n:
        ours = next(iter(b.values()), None) if b else None
        nq = n["queries"] if n else None
        lines += [
            f"### (c) Batch exact search, {nq} test queries vs 60,000 (k=10)",
            "",
            "| | seconds | queries/s |",
            "|---|---:|---:|",
        ]
        if ours:
            lines.append(f"| ours, BruteForce.searchBatch | {fmt(ours[0], 3)} | {fmt(nq / ours[0], 1) if nq else 'n/a'} |")
        if n:
            lines.append(
                f"| numpy {n['numpy']} sgemm, batches of {n['batch']} (median of {len(n['seconds'])};"
                f" norms precomputed in {n['fit_seconds']:.3f} s) | {fmt(n['median_seconds'], 3)} |"
                f" {fmt(n['queries_per_second'], 1)} |"
            )
        if ours and n:
            r = ours[0] / n["median_seconds"]
            lines.append(
                f"- ours/numpy time: **{r:.2f}x**; target <= 2x: "
                + verdict(r <= 2, f"{r:.2f}x" + ("" if r <= 2 else f" ({r / 2:.1f}x too slow)"))
            )
        if agree:
            lines.append(
                f"- same answers: {100 * agree['agreement']:.2f}% of numpy's top-{agree['k']} ids"
                f" are in ours ({agree['queries']} queries)"
            )
        lines.append("")

    # (d) larger than RAM
    t = load(d, "ltr.json")
    if t:
        hwm_time = None
        tp = os.path.join(d, "ltr-time.txt")
        if os.path.exists(tp):
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(tp).read())
            if m:
                hwm_time = int(m.group(1)) * 1024
        gib = 1 << 30
        lines += [
            "### (d) Larger than RAM: exact search of a generated file with -Xmx"
            f"{t['max_heap_bytes'] / gib:.0f}g",
            "",
            f"- file: {t['file_bytes'] / gib:.2f} GiB ({t['vectors']:,} x {t['dimension']}),"
            f" RAM {t['ram_bytes'] / gib:.1f} GiB: file/RAM = **{t['file_bytes'] / max(1, t['ram_bytes']):.2f}**;"
            f" written in {t['write_seconds']:.1f} s ({t['file_bytes'] / t['write_seconds'] / 1e9:.2f} GB/s, incl. fsync)",
            f"- search ({t['threads']} threads, k=10): **{t['seconds_per_query']:.2f} s/query,"
            f" {t['gb_per_second']:.2f} GB/s**; per query: "
            + ", ".join(f"{s:.2f} s" for s in t["query_seconds"]),
            f"- peak RSS (VmHWM) {t['vm_hwm_bytes'] / 2**20:,.0f} MiB"
            + (f" (/usr/bin/time -v: {hwm_time / 2**20:,.0f} MiB)" if hwm_time else "")
            + f"; of it anonymous memory (heap, stacks) peaked at **{t['rss_anon_peak_bytes'] / 2**20:,.0f} MiB**,"
            f" resident mapped file pages at {t['rss_file_peak_bytes'] / 2**20:,.0f} MiB (page cache the kernel reclaims)",
            "- "
            + verdict(
                t["file_bytes"] > t["ram_bytes"] and t["max_heap_bytes"] <= gib,
                "completed with a file larger than RAM and -Xmx <= 1 GiB"
                if t["file_bytes"] > t["ram_bytes"]
                else "completed, but the file was NOT larger than RAM (smoke size)",
            ),
            "",
        ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
