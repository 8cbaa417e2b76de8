"""Run by test_spark_connect.py in its own process (a Connect session sets process-wide state,
SPARK_CONNECT_MODE_ENABLED, that would turn later classic sessions into Connect ones): the
PySpark helpers through a local Spark Connect server. Prints one JSON line of results."""

import json
import sys

import numpy as np
from pyspark.sql import SparkSession

from zero_copy_search.spark import build_index, configure_spark_with_zero_copy, knn_join, write_vectors

path = sys.argv[1]
# remote("local[2]"): pyspark starts a Connect server on localhost with these settings (jars,
# extensions, JVM options) and talks to it over gRPC, as to a remote cluster
builder = SparkSession.builder.remote("local[2]").config("spark.sql.shuffle.partitions", "2")
spark = configure_spark_with_zero_copy(builder).getOrCreate()

rng = np.random.default_rng(4)
centres = rng.uniform(-5, 5, size=(12, 16))
data = (centres[rng.integers(0, 12, 2000)] + rng.standard_normal((2000, 16))).astype(np.float32)
queries_np = (centres[rng.integers(0, 12, 30)] + rng.standard_normal((30, 16))).astype(np.float32)

items = spark.createDataFrame(
    [(i, data[i].tolist(), f"item-{i}") for i in range(len(data))], "id long, embedding array<float>, name string"
).repartition(2)
write_vectors(items, path, index="hnsw")
queries = spark.createDataFrame([(q, queries_np[q].tolist()) for q in range(30)], "qid int, embedding array<float>")
rows = knn_join(queries, path, k=5).select("qid", "neighbor_id", "distance", "rank").collect()
# the batched join's options over Connect; the test compares the rows with Java's KnnJoin
exact = knn_join(queries, path, k=5, strategy="partitioned", exact=True, carry=["name"])
exact_rows = exact.collect()
# later actions analyze the query again, with the queries the DataFrame carries (no view left)
exact_count = exact.where("rank <= 2").count()
views = [t.name for t in spark.catalog.listTables() if t.name.startswith("_pyspark")]

# an unindexed copy, indexed over Connect, then searched through the new indexes
plain = path + "-plain"
write_vectors(items, plain)
built = build_index(spark, plain, m=8)
indexed_rows = knn_join(queries, plain, k=5).select("qid", "neighbor_id", "rank").collect()

truth = [np.argsort(((data - q) ** 2).sum(1), kind="stable")[:5].tolist() for q in queries_np]
print(
    json.dumps(
        {
            "session": type(spark).__module__,
            "count": spark.read.format("vec").load(path).count(),
            "rows": [[r.qid, r.neighbor_id, r.distance, r.rank] for r in rows],
            "truth": truth,
            "built_shards": len(built),
            "indexed_rows": [[r.qid, r.neighbor_id, r.rank] for r in indexed_rows],
            "queries": queries_np.tolist(),
            "exact_columns": exact.columns,
            "exact_rows": [list(r) for r in exact_rows],
            "exact_count": exact_count,
            "views": views,
        }
    )
)
spark.stop()
