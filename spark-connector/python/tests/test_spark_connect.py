"""The PySpark helpers over Spark Connect: pyspark 4.2 ships the Connect server
(jars/spark-connect_2.13-4.2.0.jar) and starts it locally for remote("local[...]")."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pyspark.sql.connect.session  # noqa: F401  fails here when the connect extras are missing


def test_write_and_knn_join_through_spark_connect(tmp_path, spark, java_knn_join):
    job = Path(__file__).with_name("spark_connect_job.py")
    # SPARK_TESTING: pyspark's local server then takes an ephemeral port instead of 15002, so
    # that runs beside other Connect servers on the machine do not collide
    environment = dict(os.environ, SPARK_TESTING="1")
    completed = subprocess.run(
        [sys.executable, str(job), str(tmp_path / "items")],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )
    assert completed.returncode == 0, completed.stderr[-5000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])

    assert result["session"] == "pyspark.sql.connect.session"
    assert result["count"] == 2000
    rows = result["rows"]
    assert len(rows) == 30 * 5
    hits = 0
    for q, truth in enumerate(result["truth"]):
        mine = sorted((r for r in rows if r[0] == q), key=lambda r: r[3])
        assert [r[3] for r in mine] == [1, 2, 3, 4, 5]
        assert [r[2] for r in mine] == sorted(r[2] for r in mine)
        hits += len(set(truth) & {r[1] for r in mine})
    assert hits / (30 * 5) >= 0.95
    # build_index over Connect (vec_build_index): one row per shard, and the join runs on them
    assert result["built_shards"] == 2
    indexed = {(r[0], r[1]) for r in result["indexed_rows"] if r[2] == 1}
    assert len(result["indexed_rows"]) == 30 * 5
    assert len(indexed & {(r[0], r[1]) for r in rows if r[3] == 1}) >= 28

    # the batched join over Connect gives the rows of Java's KnnJoin (a classic session here, on
    # the dataset the job wrote)
    queries = spark.createDataFrame(
        [(q, vector) for q, vector in enumerate(result["queries"])], "qid int, embedding array<float>"
    )
    java = java_knn_join(
        queries,
        "embedding",
        str(tmp_path / "items"),
        5,
        {"strategy": "partitioned", "exact": "true", "carriedColumns": "name"},
    )
    assert result["exact_columns"] == java.columns
    assert sorted(map(tuple, result["exact_rows"])) == sorted(tuple(r) for r in java.collect())
    assert result["exact_count"] == 30 * 2
    assert result["views"] == []
