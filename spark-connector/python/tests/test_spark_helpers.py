"""The PySpark helpers on a local session configured by configure_spark_with_zero_copy."""

import numpy as np
import pytest

pyspark = pytest.importorskip("pyspark", reason="pyspark is in requirements-test.txt")

from zero_copy_search.spark import build_index, knn_join, write_vectors  # noqa: E402


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


def test_a_clustered_write_puts_each_row_in_the_shard_of_its_nearest_centre(spark, tmp_path):
    import json
    import os

    data = clustered(1500, 8, 5)
    df = spark.createDataFrame([(i, data[i].tolist()) for i in range(len(data))], "id long, embedding array<float>")
    path = str(tmp_path / "clustered")
    write_vectors(df, path, partitioning="kmeans", shards=6, index="hnsw")
    versions = sorted(os.listdir(os.path.join(path, "_manifests")))
    manifest = json.load(open(os.path.join(path, "_manifests", versions[-1])))
    assert manifest["centroids"]["file"].startswith("part-centroids-")
    assert sorted({shard["cluster"] for shard in manifest["shards"]}) == list(range(6))
    assert sum(shard["count"] for shard in manifest["shards"]) == 1500
    queries = spark.createDataFrame([(0, data[7].tolist())], "qid int, embedding array<float>")
    assert knn_join(queries, path, k=1).collect()[0].neighbor_id == 7
    # routed: the query visits the shards of its 2 nearest clusters only
    assert knn_join(queries, path, k=1, nprobe=2).collect()[0].neighbor_id == 7
    from pyspark.errors import AnalysisException

    with pytest.raises(AnalysisException, match="option 'nprobe': expected a positive integer"):
        knn_join(queries, path, k=1, nprobe=0)
    with pytest.raises(ValueError, match="option 'shards' applies to clustered writes only"):
        write_vectors(df, str(tmp_path / "other"), shards=3)


def test_write_vectors_with_boundary_replicas(spark, tmp_path):
    import json
    import os

    data = clustered(1500, 8, 5) + np.random.default_rng(3).normal(0, 2, (1500, 8)).astype(np.float32)
    df = spark.createDataFrame([(i, data[i].tolist()) for i in range(len(data))], "id long, embedding array<float>")
    path = str(tmp_path / "replicated")
    write_vectors(df, path, partitioning="kmeans", shards=6, boundary_replicas=0.2, index="hnsw")
    versions = sorted(os.listdir(os.path.join(path, "_manifests")))
    manifest = json.load(open(os.path.join(path, "_manifests", versions[-1])))
    assert manifest["boundaryReplicas"] == 0.2
    assert manifest["count"] == 1500
    replicas = sum(shard.get("replicas", 0) for shard in manifest["shards"])
    assert replicas > 0
    assert sum(shard["count"] for shard in manifest["shards"]) == 1500 + replicas
    assert spark.read.format("vec").load(path).count() == 1500
    queries = spark.createDataFrame([(0, data[7].tolist())], "qid int, embedding array<float>")
    found = knn_join(queries, path, k=5, nprobe=2).collect()
    assert found[0].neighbor_id == 7
    assert len({row.neighbor_id for row in found}) == 5
    with pytest.raises(ValueError, match=r"boundary_replicas \(option 'boundaryReplicas'\): expected a number"):
        write_vectors(df, str(tmp_path / "bad"), partitioning="kmeans", boundary_replicas=3)


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


def test_int8_codes_on_write_and_on_build_index(spark, tmp_path):
    import json
    import os

    data = clustered(1200, 16, 11)
    df = spark.createDataFrame([(i, data[i].tolist()) for i in range(len(data))], "id long, embedding array<float>")
    path = str(tmp_path / "codes")
    write_vectors(df.repartition(2), path, index="hnsw", quantization="int8")

    def manifest():
        versions = sorted(os.listdir(os.path.join(path, "_manifests")))
        return json.load(open(os.path.join(path, "_manifests", versions[-1])))

    for shard in manifest()["shards"]:
        assert shard["codes"]["file"].endswith(".i8")
        # a byte per float and a 2-byte error bound per vector, after the header and the ranges
        # (192 bytes at 16 dimensions): 18/64 of the .vec's rows here, 386/1,536 at 384
        rows = (shard["vec"]["bytes"] - 32) // (4 * 16)
        assert shard["codes"]["bytes"] == 192 + rows * (16 + 2)
    queries_np = clustered(20, 16, 12)
    queries = spark.createDataFrame(
        [(q, queries_np[q].tolist()) for q in range(len(queries_np))], "qid int, embedding array<float>"
    )
    hits = 0
    for row in knn_join(queries, path, k=10).collect():
        exact = float(np.sqrt(((data[row.neighbor_id] - queries_np[row.qid]) ** 2).sum()))
        assert row.distance == pytest.approx(exact, rel=1e-4)  # re-scored from the float32 vectors
        truth = np.argsort(((data - queries_np[row.qid]) ** 2).sum(1), kind="stable")[:10]
        hits += row.neighbor_id in set(truth.tolist())
    assert hits / (20 * 10) >= 0.95
    build_index(spark, path, quantization="none")
    assert all("codes" not in shard for shard in manifest()["shards"])
    build_index(spark, path, quantization="int8")
    assert all(shard["codes"]["file"].endswith(".i8") for shard in manifest()["shards"])
    build_index(spark, path, quantization="pq")  # a byte per 4 dimensions, re-ranked 5 or 10 x k
    assert all(shard["codes"]["file"].endswith(".pq") for shard in manifest()["shards"])
    for row in knn_join(queries, path, k=10).collect():
        exact = float(np.sqrt(((data[row.neighbor_id] - queries_np[row.qid]) ** 2).sum()))
        assert row.distance == pytest.approx(exact, rel=1e-4)
    with pytest.raises(ValueError, match="option 'quantization': unknown value 'int3': expected one of none, int8, pq"):
        build_index(spark, path, quantization="int3")
    with pytest.raises(ValueError, match="needs option 'index'='hnsw'"):
        write_vectors(df, str(tmp_path / "no-index"), quantization="int8")


def test_index_parameters_have_the_engines_bounds_with_defaults_from_java(spark, tmp_path):
    data = clustered(50, 4, 9)
    df = spark.createDataFrame([(i, data[i].tolist()) for i in range(50)], "id long, embedding array<float>")
    with pytest.raises(Exception, match=r"option 'm' must be in \[2, 512\], got 513"):
        write_vectors(df, str(tmp_path / "bad"), index="hnsw", m=513)
    path = str(tmp_path / "ok")
    write_vectors(df, path)
    with pytest.raises(ValueError, match=r"ef_construction \(option 'efConstruction'\) must be in \[1, 65536\], got 65537"):
        build_index(spark, path, ef_construction=65537)
    # nothing given: the connector's defaults (m 16, efConstruction 200, the dataset's metric)
    build_index(spark, path)
    manifest = spark._jvm.io.zerocopy.spark.dataset.DatasetDirectory.of(path).requireManifest()
    assert manifest.shards().get(0).index() is not None


def test_knn_join_gives_the_rows_of_the_java_join(spark, tmp_path, java_knn_join):
    data = clustered(600, 8, 5)
    items = spark.createDataFrame(
        [(i, data[i].tolist(), f"item-{i}") for i in range(len(data))], "id long, embedding array<float>, name string"
    ).repartition(3)
    path = str(tmp_path / "items")
    write_vectors(items, path, index="hnsw")
    queries_np = clustered(25, 8, 6)
    queries = spark.createDataFrame(
        [(q, queries_np[q].tolist()) for q in range(len(queries_np))], "qid int, embedding array<float>"
    )
    cases = [
        ({"strategy": "replicated", "exact": True, "carry": ["name"]}, {"strategy": "replicated", "exact": "true", "carriedColumns": "name"}),
        ({"strategy": "partitioned", "exact": True, "carry": ["name"]}, {"strategy": "partitioned", "exact": "true", "carriedColumns": "name"}),
        ({"strategy": "partitioned", "ef": 100}, {"strategy": "partitioned", "ef": "100"}),
        ({}, {}),
    ]
    for python_options, java_options in cases:
        mine = knn_join(queries, path, k=4, **python_options)
        java = java_knn_join(queries, "embedding", path, 4, java_options)
        assert mine.columns == java.columns, python_options
        assert sorted(mine.collect()) == sorted(java.collect()), python_options
        assert mine.count() == 25 * 4
    assert knn_join(queries, path, k=4, carry="name").columns == [
        "qid",
        "embedding",
        "neighbor_id",
        "distance",
        "rank",
        "name",
    ]


def test_knn_join_stays_valid_without_its_view_and_reports_bad_options(spark, tmp_path):
    data = clustered(300, 8, 7)
    write_vectors(spark.createDataFrame([(i, data[i].tolist()) for i in range(300)], "id long, embedding array<float>"), str(tmp_path / "d"))
    path = str(tmp_path / "d")
    queries = spark.createDataFrame([(q, data[q].tolist()) for q in range(5)], "qid int, vec array<float>")
    joined = knn_join(queries, path, k=2, vector_column="vec", exact=True)
    # the temporary view of the call is gone; the DataFrame does not need it
    assert [t.name for t in spark.catalog.listTables() if t.name.startswith("_pyspark")] == []
    rows = joined.where("rank = 1").select("qid", "neighbor_id").collect()
    assert sorted((r.qid, r.neighbor_id) for r in rows) == [(q, q) for q in range(5)]
    from pyspark.errors import AnalysisException

    with pytest.raises(AnalysisException, match="option 'strategy': unknown value 'sideways'"):
        knn_join(queries, path, k=2, vector_column="vec", exact=True, strategy="sideways")
    with pytest.raises(AnalysisException, match="no column 'embedding'"):
        knn_join(queries, path, k=2, exact=True)


def test_two_threads_appending_with_write_vectors_lose_no_row(spark, tmp_path):
    """Two writers appending to one dataset at once, 20 times each: every append succeeds (a
    commit that loses the race retries on the newer manifest version) and every acknowledged row
    reads back exactly once."""
    import threading

    path = str(tmp_path / "appended")
    errors = []
    acknowledged = []

    def writer(first_id):
        try:
            for i in range(20):
                ids = range(first_id + i * 10, first_id + i * 10 + 10)
                rows = [(j, [float(j % 7), float(j % 5), 1.0]) for j in ids]
                df = spark.createDataFrame(rows, "id long, embedding array<float>").coalesce(1)
                write_vectors(df, path, mode="append")
                acknowledged.extend(ids)
        except Exception as e:  # reported below: a thread's exception would otherwise vanish
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(base,)) for base in (1_000_000, 2_000_000)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ids = [r.id for r in spark.read.format("vec").load(path).select("id").collect()]
    assert len(acknowledged) == 400
    assert sorted(ids) == sorted(acknowledged)
