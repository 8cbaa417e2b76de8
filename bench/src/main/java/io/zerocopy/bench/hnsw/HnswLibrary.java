package io.zerocopy.bench.hnsw;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One HNSW implementation under comparison: builds its index over a {@code .vec} store with the
 * same parameters as the others, then answers single-thread queries at a given beam width. One
 * instance holds one index; {@link #close} releases everything it holds so that the next library
 * starts from a clean heap.
 */
interface HnswLibrary extends AutoCloseable {

  /** Short name used in tables: "zero-copy", "lucene", "jvector", "hnswlib-core". */
  String name();

  /** The library's version as loaded at run time. */
  String version();

  /**
   * Builds the index until it is searchable in the form it is searched in (persisted and reopened
   * for the libraries that persist).
   *
   * @param workDir a scratch directory for index files, deleted by the caller afterwards
   */
  void build(VectorStore store, Metric metric, BuildParameters parameters, Path workDir)
      throws Exception;

  /**
   * Writes the ids (store ordinals) of the {@code k} nearest neighbours of {@code query}, searched
   * with a beam of {@code ef >= k}, into {@code ids}; returns how many were written.
   */
  int search(float[] query, int k, int ef, int[] ids) throws Exception;

  /** What the table should say about how the index is held (heap, mapped file, ...). */
  String layout();

  @Override
  void close() throws IOException;

  /** The graph parameters every library gets. */
  record BuildParameters(int m, int efConstruction, int threads) {
    public BuildParameters {
      if (m < 2 || efConstruction < 1 || threads < 1) {
        throw new IllegalArgumentException(
            "need m >= 2, efConstruction >= 1, threads >= 1; got m="
                + m
                + ", efConstruction="
                + efConstruction
                + ", threads="
                + threads);
      }
    }
  }
}
