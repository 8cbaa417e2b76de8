"""The Python API asked for its HNSW defaults and bounds: they are the engine's (HnswParameters),
passed through as None rather than repeated here (HnswParameterSurfacesTest asks the Java and SQL
surfaces the same questions)."""

import numpy as np
import pytest

from zero_copy_search import HNSWIndex, VectorStore
from zero_copy_search._gateway import jvm


def test_defaults_are_the_engines(in_tmp):
    data = np.random.default_rng(5).standard_normal((400, 12)).astype(np.float32)
    VectorStore.create("p.vec", data)
    index = HNSWIndex(VectorStore.open("p.vec"))
    index.build(threads=1, seed=7)
    stats = index.stats()
    assert (stats["m"], stats["ef_construction"]) == (16, 200)
    parameters = jvm().io.zerocopy.engine.hnsw.HnswParameters
    assert (parameters.DEFAULT_M, parameters.DEFAULT_EF_CONSTRUCTION) == (16, 200)
    for k in (5, 80):
        query = data[k] + 0.01
        # ef=None reaches Java as null: the engine's max(k, 50)
        assert parameters.defaultEf(k) == max(k, 50)
        assert index.search(query, k=k) == index.search(query, k=k, ef=parameters.defaultEf(k))
        assert index.search_batch([query], k=k) == index.search_batch([query], k=k, ef=parameters.defaultEf(k))


def test_bounds_and_errors_are_the_engines_with_pythons_names(in_tmp):
    VectorStore.create("b.vec", np.ones((10, 4), dtype=np.float32))
    store = VectorStore.open("b.vec")
    with pytest.raises(ValueError, match=r"^m must be in \[2, 512\], got 513"):
        HNSWIndex(store, m=513)
    with pytest.raises(ValueError, match=r"^ef_construction must be in \[1, 65536\], got 65537"):
        HNSWIndex(store, ef_construction=65537)
    index = HNSWIndex(store)
    index.build()
    with pytest.raises(ValueError, match=r"ef must be >= k \(5\), got 3"):
        index.search([1.0, 1.0, 1.0, 1.0], k=5, ef=3)
    with pytest.raises(ValueError, match=r"ef must be >= k \(5\), got 3"):
        index.search_batch([[1.0, 1.0, 1.0, 1.0]], k=5, ef=3)
