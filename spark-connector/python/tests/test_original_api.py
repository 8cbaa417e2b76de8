"""The original API on the Java engine, checked against numpy."""

import os
import struct

import numpy as np
import pytest

from zero_copy_search import (
    HNSWIndex,
    VectorStore,
    brute_force_search,
    calculate_distance,
    kernel_name,
)


def clustered(n, d, clusters=20, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-5, 5, size=(clusters, d))
    return (centres[rng.integers(0, clusters, n)] + rng.standard_normal((n, d))).astype(np.float32)


def exact(data, query, k, metric):
    if metric == "l2":
        d = np.sqrt(((data - query) ** 2).sum(1))
    elif metric == "dot":
        d = -(data @ query)
    else:
        d = 1 - (data @ query) / (np.linalg.norm(data, axis=1) * np.linalg.norm(query))
    order = np.lexsort((np.arange(len(d)), d))[:k]
    return order, d[order]


def test_store_roundtrip_with_numpy_and_lists(in_tmp):
    data = clustered(500, 24)
    VectorStore.create("a.vec", data)
    VectorStore.create("b.vec", data.tolist())
    assert open("a.vec", "rb").read() == open("b.vec", "rb").read()
    magic, version, count, dim = struct.unpack("<IIQI", open("a.vec", "rb").read(20))
    assert (magic, version, count, dim) == (0x56454354, 1, 500, 24)
    store = VectorStore.open("a.vec")
    assert len(store) == 500
    assert store.dimension() == 24
    assert store.get(17) == data[17].tolist()
    np.testing.assert_array_equal(store.to_numpy(), data)
    assert not [f for f in os.listdir(".") if f.startswith(".zcs-")], "no temporary files left"


def test_brute_force_and_distance_match_numpy(in_tmp):
    data = clustered(2000, 32)
    VectorStore.create("v.vec", data)
    store = VectorStore.open("v.vec")
    query = clustered(1, 32, seed=5)[0]
    for metric in ("l2", "cosine", "dot"):
        ids, distances = exact(data.astype(np.float64), query.astype(np.float64), 10, metric)
        result = brute_force_search(store, query, k=10, metric=metric)
        assert [i for i, _ in result] == ids.tolist(), metric
        np.testing.assert_allclose([d for _, d in result], distances, rtol=1e-4, atol=1e-4)
        assert calculate_distance(data[3], query, metric) == pytest.approx(
            exact(data[3:4].astype(np.float64), query.astype(np.float64), 1, metric)[1][0], rel=1e-5, abs=1e-5
        )
    assert calculate_distance([1, 2, 3], [4, 6, 3]) == pytest.approx(5.0)
    assert calculate_distance([0, 0], [1, 1], metric="cosine") == 1.0


def test_hnsw_recall_stats_batch_filter_add_delete_save_load(in_tmp):
    data = clustered(3000, 32)
    VectorStore.create("v.vec", data)
    store = VectorStore.open("v.vec")
    index = HNSWIndex(store, m=16, ef_construction=200, metric="l2")
    index.build()
    queries = clustered(50, 32, seed=9)
    hits = wide = 0
    for q in queries:
        truth = set(exact(data, q, 10, "l2")[0].tolist())
        hits += len(truth & {i for i, _ in index.search(q, k=10)})
        wide += len(truth & {i for i, _ in index.search(q, k=10, ef=100)})
    # 150 Gaussian points per cluster in 32-d are noise-like inside a cluster: the default ef=50
    # gives about 0.96 here and varies with the multi-threaded build, so the strict bar is at ef=100
    assert hits / 500 >= 0.9
    assert wide / 500 >= 0.97

    stats = index.stats()
    assert set(stats) >= {
        "num_vectors", "dimension", "num_layers", "total_connections", "max_connections", "avg_connections"
    }
    assert stats["num_vectors"] == 3000 and stats["dimension"] == 32
    assert isinstance(stats["avg_connections"], float)

    batch = index.search_batch(queries, k=5, ef=64)
    assert batch[7] == index.search(queries[7], k=5, ef=64)

    allowed = list(range(0, 3000, 10))
    filtered = index.search(queries[0], k=10, filter=allowed)
    assert filtered and all(i % 10 == 0 for i, _ in filtered)
    assert all(i % 2 == 0 for i, _ in index.search(queries[0], k=10, filter=lambda i: i % 2 == 0))

    first = index.add(clustered(100, 32, seed=11))
    assert first == 3000 and len(VectorStore.open("v.vec")) == 3100
    victim = index.search(queries[1], k=1)[0][0]
    assert index.delete(victim)
    assert victim not in {i for i, _ in index.search(queries[1], k=10)}

    index.save("v.hnsw")
    loaded = HNSWIndex.load("v.vec", "v.hnsw")
    assert loaded.search(queries[2], k=10) == index.search(queries[2], k=10)
    assert victim not in {i for i, _ in loaded.search(queries[1], k=10)}


def test_java_errors_become_python_errors(in_tmp):
    with pytest.raises(FileNotFoundError, match="missing.vec"):
        VectorStore.open("missing.vec")
    open("bad.vec", "wb").write(b"NOPE" + bytes(28))
    with pytest.raises(OSError, match="magic"):
        VectorStore.open("bad.vec")
    with pytest.raises(ValueError, match="non-finite"):
        VectorStore.create("nan.vec", [[1.0, float("nan")]])
    assert not os.path.exists("nan.vec")
    with pytest.raises(ValueError, match="2-d"):
        VectorStore.create("ragged.vec", [[1.0, 2.0], [3.0]])
    VectorStore.create("ok.vec", [[1.0, 2.0], [3.0, 4.0]])
    store = VectorStore.open("ok.vec")
    with pytest.raises(IndexError, match="id 2"):
        store.get(2)
    with pytest.raises(ValueError, match="metric"):
        HNSWIndex(store, metric="manhattan")
    with pytest.raises(ValueError, match="m must be"):
        HNSWIndex(store, m=1)
    index = HNSWIndex(store)
    index.build()
    with pytest.raises(ValueError, match="dimension"):
        index.search([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="k must be"):
        index.search([1.0, 2.0], k=0)
    with pytest.raises(ValueError, match="dimension"):
        calculate_distance([1.0], [1.0, 2.0])


def test_kernel_is_simd():
    assert kernel_name() == "panama"


def test_the_largest_dimension_is_written_whole(in_tmp):
    # 4096 vectors of 2^20 floats per batch used to wrap an int: 0 vectors were written
    dimension = 1 << 20
    vectors = np.arange(10 * 64, dtype=np.float32).reshape(10, 64).repeat(dimension // 64, axis=1)
    VectorStore.create("wide.vec", vectors)
    store = VectorStore.open("wide.vec")
    assert len(store) == 10 and store.dimension() == dimension
    assert os.path.getsize("wide.vec") == 32 + 10 * dimension * 4
    assert np.array_equal(store.to_numpy()[9], vectors[9])


def test_a_filter_can_name_vectors_added_after_the_index_was_made(in_tmp):
    data = clustered(200, 8, seed=3)
    VectorStore.create("grow.vec", data)
    index = HNSWIndex(VectorStore.open("grow.vec"), m=8, ef_construction=64)
    index.build()
    extra = clustered(5, 8, seed=4) + 100.0  # far from the rest
    first = index.add(extra)
    assert first == 200
    found = index.search(extra[2], k=3, filter=[202, 204])
    assert [i for i, _ in found] == [202, 204]
    assert [i for i, _ in index.search(extra[0], k=1, filter=lambda i: i >= 200)] == [200]


@pytest.mark.parametrize("kind", ["int8", "pq"])
def test_quantized_index_keeps_recall_and_reports_exact_distances(in_tmp, kind):
    data = clustered(3000, 32)
    # queries from the data's own clusters (queries from other clusters sit at equal distances
    # from many points, where even the float32 graph's recall is 0.92 at the default beam)
    rng = np.random.default_rng(9)
    queries = (data[rng.choice(len(data), 40)] + 0.3 * rng.standard_normal((40, 32))).astype(np.float32)
    VectorStore.create("q.vec", data)
    store = VectorStore.open("q.vec")
    for metric in ("l2", "cosine", "dot"):
        codes = f"q-{metric}.{kind}"
        index = HNSWIndex(store, metric=metric, quantization=kind, codes_path=codes)
        index.build()
        if kind == "int8":
            assert os.path.getsize(codes) <= 0.27 * os.path.getsize("q.vec")
        else:  # 256 centroids per dimension, then a byte per 4 dimensions of each vector
            assert os.path.getsize(codes) == 64 + 4 * 256 * 32 + 3000 * 8
        assert index.stats()["quantization"] == kind
        hits = 0
        for query in queries:
            ids, _ = exact(data.astype(np.float64), query.astype(np.float64), 10, metric)
            result = index.search(query, k=10)
            hits += len(set(ids.tolist()) & {i for i, _ in result})
            for i, distance in result:
                # re-ranked from the .vec: the engine's exact float32 distance, not the codes'
                assert np.float32(distance) == np.float32(calculate_distance(query, data[i], metric)), metric
        assert hits / (10 * len(queries)) >= 0.95, metric
        index.save(f"q-{metric}.hnsw")
        again = HNSWIndex.load("q.vec", f"q-{metric}.hnsw", codes_path=codes)
        assert again.stats()["quantization"] == kind
        assert again.search(queries[0], k=10) == index.search(queries[0], k=10)
    plain = HNSWIndex(store)
    plain.build()
    assert plain.stats()["quantization"] == "none"
    with pytest.raises(ValueError, match="quantization must be one of none, int8, pq, got 'int4'"):
        HNSWIndex(store, quantization="int4")
    with pytest.raises(ValueError, match="rerank must be >= 1"):
        HNSWIndex(store, quantization="int8", rerank=0)
