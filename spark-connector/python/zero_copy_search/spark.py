"""PySpark helpers: configure a session with the connector, write and index `vec` datasets, and
run batch nearest-neighbour joins. Written with format("vec"), SQL functions and
F.call_function where possible, so that they also work over Spark Connect."""

from __future__ import annotations

import functools
import os
import subprocess
from typing import Optional

from zero_copy_search._gateway import jar_path

_EXTENSIONS = "io.zerocopy.spark.ZeroCopyExtensions"


@functools.lru_cache(maxsize=None)
def _jvm_options() -> str:
    options = ["--add-modules=jdk.incubator.vector"]
    java_home = os.environ.get("JAVA_HOME")
    java = os.path.join(java_home, "bin", "java") if java_home else "java"
    # JDK 23+: Arrow's Netty allocator (the vec writer) needs sun.misc.Unsafe memory access;
    # older JVMs refuse the flag, so ask the JVM that will run Spark
    probe = subprocess.run(
        [java, "--sun-misc-unsafe-memory-access=allow", "-version"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if probe.returncode == 0:
        options.append("--sun-misc-unsafe-memory-access=allow")
    return " ".join(options)


def _append(builder, key: str, value: str, separator: str):
    existing = builder._options.get(key) if hasattr(builder, "_options") else None
    return builder.config(key, f"{existing}{separator}{value}" if existing else value)


def configure_spark_with_zero_copy(builder):
    """Adds the connector jar (engine inside), the SQL extensions and the Vector API JVM option
    for driver and executors to a SparkSession builder; call before getOrCreate().

    Like Delta's configure_spark_with_delta_pip: the user never copies a jar path."""
    options = _jvm_options()
    builder = _append(builder, "spark.jars", jar_path(), ",")
    builder = _append(builder, "spark.sql.extensions", _EXTENSIONS, ",")
    builder = _append(builder, "spark.driver.extraJavaOptions", options, " ")
    return _append(builder, "spark.executor.extraJavaOptions", options, " ")


def write_vectors(
    df,
    path: str,
    vector_column: str = "embedding",
    id_column: str = "id",
    mode: str = "error",
    index: Optional[str] = None,
    metric: Optional[str] = None,
    m: Optional[int] = None,
    ef_construction: Optional[int] = None,
    **options,
) -> None:
    """Writes df as a `vec` dataset; index="hnsw" builds one index per shard in the same job.

    Unset values are not passed: the connector's defaults apply (metric l2 for a new dataset, the
    dataset's own on append; m 16, ef_construction 200)."""
    # Spark Connect's client knows "error" but rejects its classic synonyms
    if mode.lower() in ("errorifexists", "default"):
        mode = "error"
    writer = (
        df.write.format("vec")
        .mode(mode)
        .option("vectorColumn", vector_column)
        .option("idColumn", id_column)
    )
    given = {"metric": metric, "index": index, "m": m, "efConstruction": ef_construction}
    for key, value in list(given.items()) + list(options.items()):
        if value is not None:
            writer = writer.option(key, value)
    writer.save(path)


def build_index(
    spark, path: str, m: Optional[int] = None, ef_construction: Optional[int] = None, metric: Optional[str] = None
):
    """Builds one HNSW index per shard of an existing `vec` dataset, as a Spark job (classic
    sessions only: it calls the connector's Java API). Unset values: the connector's defaults."""
    jvm = getattr(spark, "_jvm", None)
    if jvm is None:
        raise NotImplementedError(
            "build_index needs a classic SparkSession; over Spark Connect write with index='hnsw'"
        )
    java_options = jvm.java.util.HashMap()
    for key, value in {"m": m, "efConstruction": ef_construction, "metric": metric}.items():
        if value is not None:
            java_options.put(key, str(value))
    jvm.io.zerocopy.spark.VecDatasets.buildIndex(spark._jsparkSession, path, java_options)


def knn_join(queries, path: str, k: int = 10, vector_column: str = "embedding", ef: Optional[int] = None):
    """The query rows, each repeated for its k nearest neighbours in the `vec` dataset at path,
    with neighbor_id, distance and rank (1 = nearest), through the SQL function vec_knn on the
    shards' HNSW indexes. Needs a session configured with configure_spark_with_zero_copy."""
    from pyspark.sql import functions as F

    arguments = [F.lit(path), F.col(vector_column), F.lit(int(k))]
    if ef is not None:
        arguments.append(F.lit(int(ef)))
    neighbours = F.call_function("vec_knn", *arguments)
    # bad arguments fail at analysis, as a pyspark AnalysisException naming what is wrong
    exploded = queries.select("*", F.posexplode(neighbours).alias("_zcs_rank", "_zcs_neighbor"))
    return exploded.select(
        *[F.col(f"`{c}`") for c in queries.columns],
        F.col("_zcs_neighbor.id").alias("neighbor_id"),
        F.col("_zcs_neighbor.distance").alias("distance"),
        (F.col("_zcs_rank") + 1).alias("rank"),
    )
