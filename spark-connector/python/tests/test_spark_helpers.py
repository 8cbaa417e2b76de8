"""The PySpark helpers on a local session configured by configure_spark_with_zero_copy."""

import numpy as np
import pytest

pyspark = pytest.importorskip("pyspark", reason="pyspark is in requirements-test.txt")

from zero_copy_search.spark import (  # noqa: E402
    build_index,
    configure_spark_with_zero_copy,
    knn_join,
    write_vectors,
)


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .appName("zero-copy-search-pytest")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
    )
    session = configure_spark_with_zero_copy(builder).getOrCreate()
    yield session
    session.stop()


def clustered(n, d, seed):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-5, 5, size=(12, d))
    return (centres[rng.integers(0, 12, n)] + rng.standard_normal((n, d))).astype(np.float32)


def test_write_index_and_join_match_exact_search(spark, tmp_path):
    data = clustered(2000, 16, 1)
    rows = [(i * 10, data[i].tolist(), f"item-{i}") for i in range(len(data))]
    df = spark.createDataFrame(rows, "id long, embedding array<float>, name string").repartition(2)
    path = str(tmp_path / "items")
    write_vectors(df, path, index="hnsw")

    back = spark.read.format("vec").load(path)
    assert back.count() == 2000
    assert set(back.columns) >= {"id", "vector", "name"}

    queries_np = clustered(30, 16, 2)
    queries = spark.createDataFrame(
        [(q, queries_np[q].tolist()) for q in range(len(queries_np))], "qid int, embedding array<float>"
    )
    joined = knn_join(queries, path, k=5).collect()
    assert len(joined) == 30 * 5
    hits = 0
    for q in range(len(queries_np)):
        mine = sorted((r for r in joined if r.qid == q), key=lambda r: r.rank)
        assert [r.rank for r in mine] == [1, 2, 3, 4, 5]
        distances = [r.distance for r in mine]
        assert distances == sorted(distances)
        truth = np.argsort(((data - queries_np[q]) ** 2).sum(1), kind="stable")[:5] * 10
        hits += len(set(truth.tolist()) & {r.neighbor_id for r in mine})
    assert hits / (30 * 5) >= 0.95


def test_build_index_on_an_unindexed_dataset(spark, tmp_path):
    data = clustered(500, 8, 3)
    df = spark.createDataFrame([(i, data[i].tolist()) for i in range(500)], "id long, embedding array<float>")
    path = str(tmp_path / "plain")
    write_vectors(df, path)
    from pyspark.errors import AnalysisException

    with pytest.raises(AnalysisException, match="no HNSW index"):
        knn_join(spark.createDataFrame([(0, data[0].tolist())], "qid int, embedding array<float>"), path).collect()
    build_index(spark, path)
    result = knn_join(spark.createDataFrame([(0, data[7].tolist())], "qid int, embedding array<float>"), path, k=1)
    assert [r.neighbor_id for r in result.collect()] == [7]


def test_index_parameters_have_the_engines_bounds_with_defaults_from_java(spark, tmp_path):
    data = clustered(50, 4, 9)
    df = spark.createDataFrame([(i, data[i].tolist()) for i in range(50)], "id long, embedding array<float>")
    with pytest.raises(Exception, match=r"option 'm' must be in \[2, 512\], got 513"):
        write_vectors(df, str(tmp_path / "bad"), index="hnsw", m=513)
    path = str(tmp_path / "ok")
    write_vectors(df, path)
    with pytest.raises(Exception, match=r"option 'efConstruction' must be in \[1, 65536\], got 65537"):
        build_index(spark, path, ef_construction=65537)
    # nothing given: the connector's defaults (m 16, efConstruction 200, the dataset's metric)
    build_index(spark, path)
    manifest = spark._jvm.io.zerocopy.spark.dataset.DatasetDirectory.of(path).requireManifest()
    assert manifest.shards().get(0).index() is not None
