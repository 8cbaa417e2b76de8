"""PySpark helpers: configure a session with the connector, write and index `vec` datasets, and
run batch nearest-neighbour joins. Written with format("vec") and SQL functions where possible,
so that they also work over Spark Connect."""

from __future__ import annotations

import functools
import os
from typing import Optional, Sequence, Union

from zero_copy_search import _errors, _gateway, _quiet
from zero_copy_search._gateway import jar_path

_EXTENSIONS = "io.zerocopy.spark.ZeroCopyExtensions"


@functools.lru_cache(maxsize=None)
def _jvm_options() -> str:
    # native access: the engine advises its mapped index files random (madvise through the FFM
    # API), which keeps indexes larger than the page cache fast
    options = ["--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"]
    java_home = os.environ.get("JAVA_HOME")
    java = os.path.join(java_home, "bin", "java") if java_home else "java"
    # JDK 23+: Arrow's Netty allocator (the vec writer) needs sun.misc.Unsafe memory access;
    # older JVMs refuse the flag, so ask the JVM that will run Spark
    if _gateway.accepts(java, "--sun-misc-unsafe-memory-access=allow"):
        options.append("--sun-misc-unsafe-memory-access=allow")
    if _gateway.accepts(java, _gateway.FOREIGN_MODULE_OPTION):
        options.append(_gateway.FOREIGN_MODULE_OPTION)
    return " ".join(options)


def _append(builder, key: str, value: str, separator: str):
    existing = builder._options.get(key) if hasattr(builder, "_options") else None
    return builder.config(key, f"{existing}{separator}{value}" if existing else value)


def configure_spark_with_zero_copy(builder):
    """Adds the connector jar (engine inside), the SQL extensions and the Vector API JVM option
    for driver and executors to a SparkSession builder; call before getOrCreate().

    Like Delta's configure_spark_with_delta_pip: the user never copies a jar path."""
    options = _jvm_options()
    given = builder._options if hasattr(builder, "_options") else {}
    driver_options = options
    if "spark.log.level" not in given:
        # Spark's INFO and WARN lines only when asked for (set spark.log.level, a log4j
        # configuration of your own, or spark.sparkContext.setLogLevel): errors reach Python as
        # exceptions. A log4j configuration at ERROR keeps the driver quiet from its first line;
        # spark.log.level only applies once the context exists, and announces itself.
        if _quiet.user_log4j_configured(given.get("spark.driver.extraJavaOptions", "")):
            builder = builder.config("spark.log.level", "ERROR")
        else:
            driver_options += " " + _quiet.quiet_log4j_option()
    _quiet.install_launch_filter()
    builder = _append(builder, "spark.jars", jar_path(), ",")
    builder = _append(builder, "spark.sql.extensions", _EXTENSIONS, ",")
    builder = _append(builder, "spark.driver.extraJavaOptions", driver_options, " ")
    return _append(builder, "spark.executor.extraJavaOptions", options, " ")


def _errors_in_python_terms(session) -> None:
    """Connector errors of this session's Spark jobs are raised as short Python exceptions
    (zero_copy_search._errors); a classic session only: Spark Connect has no py4j."""
    if getattr(session, "_jvm", None) is not None:
        _errors.install()


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
    partitioning: Optional[str] = None,
    shards: Optional[int] = None,
    boundary_replicas: Optional[float] = None,
    quantization: Optional[str] = None,
    **options,
) -> None:
    """Writes df as a `vec` dataset; index="hnsw" builds one index per shard in the same job.

    partitioning="kmeans" makes the shards clusters of similar vectors (shards of them; default:
    df's partition count), so that searches can visit only the nearest shards; an append to a
    clustered dataset follows its clusters. boundary_replicas=0.1 also stores a row in up to 3
    more clusters whose centre is within 1.1 x the distance to its own: routed searches find more
    of the true neighbours at the same nprobe, for that many more stored rows. quantization="int8"
    (with index="hnsw") also writes each shard's 8-bit codes, a quarter of its vectors' bytes:
    searches walk the graph on them and re-score their best candidates exactly. Unset values are
    not passed: the connector's defaults apply (metric l2 for a new dataset, the dataset's own on
    append; m 16, ef_construction 200, quantization none)."""
    _errors_in_python_terms(df.sparkSession)
    # Spark Connect's client knows "error" but rejects its classic synonyms
    if mode.lower() in ("errorifexists", "default"):
        mode = "error"
    writer = (
        df.write.format("vec")
        .mode(mode)
        .option("vectorColumn", vector_column)
        .option("idColumn", id_column)
    )
    given = {
        "metric": metric,
        "index": index,
        "m": m,
        "efConstruction": ef_construction,
        "partitioning": partitioning,
        "shards": shards,
        "boundaryReplicas": boundary_replicas,
        "quantization": quantization,
    }
    for key, value in list(given.items()) + list(options.items()):
        if value is not None:
            writer = writer.option(key, value)
    writer.save(path)


def build_index(
    spark,
    path: str,
    m: Optional[int] = None,
    ef_construction: Optional[int] = None,
    metric: Optional[str] = None,
    quantization: Optional[str] = None,
):
    """Builds one HNSW index per shard of an existing `vec` dataset, as a Spark job, and commits
    them. Classic sessions and Spark Connect alike: it runs the SQL table-valued function
    vec_build_index of the connector's extensions (the build happens when the query runs, on the
    driver). quantization="int8" also writes each shard's codes, which searches then walk on.
    Unset values: the connector's defaults. Returns one Row per shard (shard, file,
    bytes, seconds, threads, executor)."""
    _errors_in_python_terms(spark)
    given = {"m": m, "efConstruction": ef_construction, "metric": metric, "quantization": quantization}
    args = {"path": path}
    entries = []
    for key, value in given.items():
        if value is not None:
            args[key] = str(value)
            entries.append(f"'{key}', :{key}")
    options = ", map(" + ", ".join(entries) + ")" if entries else ""
    return spark.sql("SELECT * FROM vec_build_index(:path" + options + ")", args=args).collect()


def knn_join(
    queries,
    path: str,
    k: int = 10,
    vector_column: str = "embedding",
    ef: Optional[int] = None,
    strategy: Optional[str] = None,
    exact: Optional[bool] = None,
    carry: Optional[Union[str, Sequence[str]]] = None,
    on_null_vector: Optional[str] = None,
    query_block_rows: Optional[int] = None,
    nprobe: Optional[int] = None,
):
    """For every query row, its k nearest neighbours in the `vec` dataset at path: the query
    columns, then neighbor_id, distance, rank (1 = nearest) and the carried columns named in carry.

    The batched join of the connector's Java KnnJoin.knnJoin, through the SQL table-valued
    function vec_knn_join, so it works with classic and Spark Connect sessions alike. strategy is
    "replicated", "partitioned" or "auto"; exact=True searches exactly (no index needed); ef,
    on_null_vector ("error" or "skip") and query_block_rows are passed on as given; nprobe, on a
    dataset written with partitioning="kmeans", visits only the shards of each query's nprobe
    nearest clusters (default: 16 for an approximate join, every shard for an exact one; a
    dataset of 16 clusters or fewer is searched whole). Options left at None are not passed: their defaults are Java's. Bad arguments fail here, as a pyspark
    AnalysisException with the Java message. Needs a session configured with
    configure_spark_with_zero_copy."""
    _errors_in_python_terms(queries.sparkSession)
    options = {"vectorColumn": vector_column}
    if ef is not None:
        options["ef"] = str(int(ef))
    if strategy is not None:
        options["strategy"] = str(strategy)
    if exact is not None:
        options["exact"] = "true" if exact else "false"
    if carry is not None:
        options["carriedColumns"] = carry if isinstance(carry, str) else ",".join(carry)
    if on_null_vector is not None:
        options["onNullVector"] = str(on_null_vector)
    if query_block_rows is not None:
        options["queryBlockRows"] = str(int(query_block_rows))
    if nprobe is not None:
        options["nprobe"] = str(nprobe)
    # every value is a named parameter, so paths and names need no quoting
    args = {"path": path, "k": int(k)}
    entries = []
    for i, (key, value) in enumerate(options.items()):
        args[f"option{i}"] = value
        entries.append(f"'{key}', :option{i}")
    # {queries}: pyspark registers the DataFrame as a uniquely named temporary view for this call
    # only (classic: dropped after analysis, which already resolved the join's plan; Connect: the
    # DataFrame travels with the query and the server registers it whenever it analyzes it)
    query = "SELECT * FROM vec_knn_join(TABLE({queries}), :path, :k, map(" + ", ".join(entries) + "))"
    return queries.sparkSession.sql(query, args=args, queries=queries)
