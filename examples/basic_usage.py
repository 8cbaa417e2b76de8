"""The seed README's "Basic Usage", as written: random vectors, an HNSW index, one search."""

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
