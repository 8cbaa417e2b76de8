"""The seed's Python API on the Java engine. Bulk data crosses as files or byte buffers."""

from __future__ import annotations

import os
import struct
import tempfile
from typing import Callable, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from zero_copy_search._gateway import engine, translate_errors

Vectors = Union[np.ndarray, Sequence[Sequence[float]]]
Vector = Union[np.ndarray, Sequence[float]]


def _matrix(vectors: Vectors, what: str = "vectors") -> np.ndarray:
    try:
        array = np.asarray(vectors, dtype="<f4")
    except (ValueError, TypeError) as error:
        raise ValueError(f"{what} must be a 2-d array of numbers of equal length: {error}") from None
    if array.ndim != 2:
        raise ValueError(f"{what} must be 2-d (n, dimension), got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{what} must hold at least one vector of dimension >= 1, got shape {array.shape}")
    return np.ascontiguousarray(array)


def _vector(vector: Vector, what: str = "query") -> bytes:
    try:
        array = np.asarray(vector, dtype="<f4")
    except (ValueError, TypeError) as error:
        raise ValueError(f"{what} must be a 1-d array of numbers: {error}") from None
    if array.ndim != 1:
        raise ValueError(f"{what} must be 1-d, got shape {array.shape}")
    return array.tobytes()


def _unpack(packed: bytes) -> List[List[Tuple[int, float]]]:
    (queries,) = struct.unpack_from("<i", packed, 0)
    counts = np.frombuffer(packed, dtype="<i4", count=queries, offset=4)
    total = int(counts.sum())
    ids = np.frombuffer(packed, dtype="<i8", count=total, offset=4 + 4 * queries)
    distances = np.frombuffer(packed, dtype="<f4", count=total, offset=4 + 4 * queries + 8 * total)
    results, start = [], 0
    for count in counts:
        end = start + int(count)
        results.append(list(zip(ids[start:end].tolist(), distances[start:end].tolist())))
        start = end
    return results


class VectorStore:
    """A memory-mapped .vec file (the seed's format); vectors stay on disk."""

    def __init__(self, java_store, path: str):
        self._java = java_store
        self._path = path

    @staticmethod
    @translate_errors
    def create(path: str, vectors: Vectors) -> None:
        """Writes vectors (numpy array or list of lists) to a new .vec file, atomically."""
        matrix = _matrix(vectors)
        target = os.path.abspath(os.fspath(path))
        directory = os.path.dirname(target) or "."
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"directory {directory} for {path} does not exist")
        # the matrix crosses as one raw file; the engine validates and writes the .vec atomically
        fd, raw = tempfile.mkstemp(prefix=".zcs-", suffix=".f32", dir=directory)
        try:
            with os.fdopen(fd, "wb") as out:
                matrix.tofile(out)
            engine().importRaw(raw, matrix.shape[1], target)
        finally:
            os.unlink(raw)

    @staticmethod
    @translate_errors
    def open(path: str) -> "VectorStore":
        """Maps an existing .vec file read-only."""
        target = os.path.abspath(os.fspath(path))
        return VectorStore(engine().openStore(target), target)

    @translate_errors
    def __len__(self) -> int:
        return int(self._java.size())

    @translate_errors
    def dimension(self) -> int:
        return int(self._java.dimension())

    @translate_errors
    def get(self, index: int) -> List[float]:
        index = int(index)
        if index < 0:
            raise IndexError(f"vector index {index} is negative")
        return np.frombuffer(engine().getVector(self._java, index), dtype="<f4").tolist()

    def to_numpy(self) -> np.ndarray:
        """All vectors as a read-only numpy memmap of the same file (no copy)."""
        return np.memmap(self._path, dtype="<f4", mode="r", offset=32, shape=(len(self), self.dimension()))

    @property
    def path(self) -> str:
        return self._path

    def close(self) -> None:
        self._java.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"VectorStore({self._path!r}, {len(self)} x {self.dimension()})"


def _bitset(allowed: Union[Iterable[int], Callable[[int], bool], None], size: int) -> Optional[bytes]:
    if allowed is None:
        return None
    if callable(allowed):
        ids = np.fromiter((i for i in range(size) if allowed(i)), dtype=np.int64)
    else:
        ids = np.asarray(list(allowed) if not isinstance(allowed, np.ndarray) else allowed, dtype=np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= size):
        raise ValueError(f"filter ids must be in [0, {size}), got {ids.min()}..{ids.max()}")
    bits = np.zeros(max(1, (size + 7) // 8), dtype=np.uint8)
    np.bitwise_or.at(bits, ids // 8, (1 << (ids % 8)).astype(np.uint8))
    return bits.tobytes()


def _int_or_none(value: Optional[int]) -> Optional[int]:
    return None if value is None else int(value)


@translate_errors
def _new_index(store: VectorStore, m: Optional[int], ef_construction: Optional[int], metric: str):
    # None reaches Java as null: the defaults and bounds live in the engine (HnswParameters)
    return engine().newIndex(store._java, _int_or_none(m), _int_or_none(ef_construction), str(metric))


QUANTIZATIONS = ("none", "int8", "pq")


def _quantization(value) -> str:
    if not isinstance(value, str) or value.strip().lower() not in QUANTIZATIONS:
        raise ValueError(f"quantization must be one of {', '.join(QUANTIZATIONS)}, got {value!r}")
    return value.strip().lower()


class HNSWIndex:
    """The seed's HNSW index on the Java engine.

    quantization="int8": build() also writes 8-bit codes (one byte per float, codes_path, by
    default the .vec path + ".i8"); searches walk the graph on them and re-score the best
    rerank * k candidates exactly from the .vec (rerank: 3 unless set). quantization="pq":
    product-quantization codes instead (one byte per 4 dimensions, default path + ".pq";
    rerank: 10 unless set).
    """

    @translate_errors
    def __init__(self, vector_store: VectorStore, m: Optional[int] = None, ef_construction: Optional[int] = None,
                 metric: str = "l2", quantization: str = "none", codes_path: Optional[str] = None,
                 rerank: Optional[int] = None):
        self._quantization = _quantization(quantization)
        if codes_path is not None and self._quantization == "none":
            raise ValueError("codes_path needs quantization='int8' or 'pq'")
        self._store = vector_store
        suffix = ".pq" if self._quantization == "pq" else ".i8"
        self._codes_path = os.path.abspath(os.fspath(codes_path or vector_store._path + suffix))
        self._java = _new_index(vector_store, m, ef_construction, metric)
        if rerank is not None:
            self._java.setRerank(int(rerank))

    @classmethod
    @translate_errors
    def load(cls, store_path: str, index_path: str, codes_path: Optional[str] = None,
             rerank: Optional[int] = None) -> "HNSWIndex":
        """Maps a saved index (and its .vec file) without loading the graph into memory.

        codes_path: the index's codes (int8 or pq, told apart by the file), to search on them as
        it was built.
        """
        store_path = os.path.abspath(os.fspath(store_path))
        index_path = os.path.abspath(os.fspath(index_path))
        if codes_path is None:
            java = engine().openIndex(store_path, index_path)
        else:
            java = engine().openIndex(store_path, index_path, os.path.abspath(os.fspath(codes_path)))
        if rerank is not None:
            java.setRerank(int(rerank))
        index = cls.__new__(cls)
        index._store = VectorStore(java.store(), store_path)
        index._java = java
        index._quantization = str(java.stats().get("quantization"))
        index._codes_path = None if codes_path is None else os.path.abspath(os.fspath(codes_path))
        return index

    @translate_errors
    def build(self, threads: Optional[int] = None, seed: Optional[int] = None) -> None:
        """Builds the graph, on all cores by default; one thread and a seed are reproducible.

        With quantization="int8" or "pq", then trains and writes the codes (atomically).
        """
        if threads is None and seed is None:
            self._java.build()
        else:
            engine().build(self._java, int(threads or os.cpu_count() or 1), int(42 if seed is None else seed))
        if self._quantization != "none":
            engine().quantize(self._java, self._codes_path, self._quantization)

    @translate_errors
    def search(self, query: Vector, k: int = 10, ef: Optional[int] = None, filter=None) -> List[Tuple[int, float]]:
        """The k nearest neighbours as [(index, distance), ...], closest first.

        ef defaults to max(k, 50); filter is an iterable of allowed ids or a predicate.
        """
        # the index's own size: vectors added since the store was opened can be filtered too
        packed = engine().search(self._java, _vector(query), int(k), _int_or_none(ef), _bitset(filter, int(self._java.size())))
        return _unpack(packed)[0]

    @translate_errors
    def search_batch(self, queries: Vectors, k: int = 10, ef: Optional[int] = None) -> List[List[Tuple[int, float]]]:
        """search() for many queries at once, in parallel on the JVM."""
        matrix = _matrix(queries, "queries")
        return _unpack(engine().searchBatch(self._java, matrix.tobytes(), matrix.shape[0], int(k), _int_or_none(ef)))

    @translate_errors
    def add(self, vectors: Vectors) -> int:
        """Appends vectors to the .vec file and the graph; returns the first new index."""
        matrix = _matrix(vectors)
        return int(engine().add(self._java, matrix.tobytes(), matrix.shape[0]))

    @translate_errors
    def delete(self, index: int) -> bool:
        """Marks a vector deleted: it never appears in results again."""
        return bool(self._java.delete(int(index)))

    @translate_errors
    def save(self, path: str) -> None:
        """Writes the graph to a .hnsw file, atomically."""
        engine().save(self._java, os.path.abspath(os.fspath(path)))

    @translate_errors
    def stats(self) -> dict:
        """num_vectors, dimension, num_layers, total_connections, max_connections, avg_connections,
        quantization ("none", "int8" or "pq")."""
        java_stats = engine().stats(self._java)
        return {key: java_stats.get(key) for key in java_stats.keySet()}

    def close(self) -> None:
        self._java.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@translate_errors
def brute_force_search(store: VectorStore, query: Vector, k: int = 10, metric: str = "l2") -> List[Tuple[int, float]]:
    """Exact search: every vector against the query, on all cores."""
    return _unpack(engine().bruteForce(store._java, _vector(query), int(k), str(metric)))[0]


@translate_errors
def calculate_distance(a: Vector, b: Vector, metric: str = "l2") -> float:
    """The distance between two vectors (smaller is closer)."""
    return float(engine().distance(_vector(a, "a"), _vector(b, "b"), str(metric)))
