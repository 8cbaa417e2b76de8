"""Zero-Copy Search: memory-mapped vector search on the JVM engine.

The original API of the seed project, unchanged::

    from zero_copy_search import VectorStore, HNSWIndex
    VectorStore.create("vectors.vec", vectors)
    store = VectorStore.open("vectors.vec")
    index = HNSWIndex(store, m=16, ef_construction=200, metric="l2")
    index.build()
    results = index.search(query, k=10)   # [(index, distance), ...]
"""

from zero_copy_search._api import (
    HNSWIndex,
    VectorStore,
    brute_force_search,
    calculate_distance,
)
from zero_copy_search._gateway import jar_path, kernel_name
from zero_copy_search.spark import (
    build_index,
    configure_spark_with_zero_copy,
    knn_join,
    write_vectors,
)

__all__ = [
    "HNSWIndex",
    "VectorStore",
    "brute_force_search",
    "build_index",
    "configure_spark_with_zero_copy",
    "knn_join",
    "write_vectors",
    "calculate_distance",
    "jar_path",
    "kernel_name",
]
__version__ = "0.1.0"
