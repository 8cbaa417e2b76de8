/**
 * HNSW approximate nearest-neighbour search over a {@code .vec} file.
 *
 * <p>{@link io.zerocopy.engine.hnsw.HnswIndex} is the public entry point. Inside, graph code sees
 * vectors only through {@code VectorScorer} (score a query against a node id: the store's vector is
 * copied into a thread's scratch array and scored by the selected SIMD kernel), and graphs only
 * through {@code GraphView}, implemented by the in-heap {@code HeapGraph} (build, add) and by the
 * mapped {@code MappedGraph} (after {@code open}); {@code GraphSearch} is the one search routine
 * for both. {@code GraphBuilder} inserts nodes from several threads with striped per-node locks.
 * {@code HnswFile} documents and reads/writes the {@code .hnsw} layout.
 */
package io.zerocopy.engine.hnsw;
