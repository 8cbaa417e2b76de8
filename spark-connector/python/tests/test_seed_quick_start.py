"""The seed README's Quick Start, run as written (only file names would change)."""


def test_basic_usage_snippet(in_tmp, capsys):
    import numpy as np
    from zero_copy_search import VectorStore, HNSWIndex

    # Create random vectors
    vectors = np.random.randn(10000, 128).astype(np.float32).tolist()

    # Create and save vector store
    VectorStore.create("vectors.vec", vectors)

    # Load vector store (memory-mapped, no RAM usage!)
    store = VectorStore.open("vectors.vec")

    # Build HNSW index
    index = HNSWIndex(store, m=16, ef_construction=200, metric="l2")
    index.build()

    # Search for nearest neighbors
    query = np.random.randn(128).astype(np.float32).tolist()
    results = index.search(query, k=10)

    # Results: [(index, distance), ...]
    for idx, distance in results:
        print(f"Vector {idx}: distance={distance:.4f}")

    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 10
    assert all(line.startswith("Vector ") for line in printed)
    distances = [d for _, d in results]
    assert distances == sorted(distances)
    assert len({i for i, _ in results}) == 10
