"""Run by scripts/test.sh in a fresh virtual environment where only the wheel (with its [spark]
extra) is installed and Maven is not on PATH: a write_vectors + knn_join round trip on a local
PySpark session configured by configure_spark_with_zero_copy. Prints one line; exits non-zero on
any difference."""

import sys
import tempfile

import numpy as np
from pyspark.sql import SparkSession

from zero_copy_search.spark import configure_spark_with_zero_copy, knn_join, write_vectors


def main():
    rng = np.random.default_rng(7)
    items = rng.standard_normal((300, 8)).astype(np.float32)
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("zero-copy-search fresh install")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
    )
    spark = configure_spark_with_zero_copy(builder).getOrCreate()
    try:
        with tempfile.TemporaryDirectory() as directory:
            path = directory + "/items"
            frame = spark.createDataFrame(
                [(i, items[i].tolist()) for i in range(len(items))], "id long, embedding array<float>"
            )
            write_vectors(frame, path, index="hnsw")
            queries = spark.createDataFrame(
                [(q, items[q * 37].tolist()) for q in range(5)], "qid int, embedding array<float>"
            )
            rows = knn_join(queries, path, k=3).collect()
            nearest = {r.qid: r.neighbor_id for r in rows if r.rank == 1}
            expected = {q: q * 37 for q in range(5)}
            if len(rows) != 15 or nearest != expected:
                print(f"round trip differs: {len(rows)} rows, nearest {nearest}", file=sys.stderr)
                sys.exit(1)
            print(f"write_vectors + knn_join: {len(rows)} rows, every query's nearest is itself")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
