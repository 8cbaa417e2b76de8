package io.zerocopy.engine.hnsw;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.store.VectorStore;

/**
 * Scores through a mapped {@link VectorStore}: the node's vector is copied into a thread's scratch
 * array, then the selected SIMD kernel runs on heap arrays; the metric says how to rank and report.
 */
final class StoreScorer implements VectorScorer {

  private final VectorStore store;
  private final Metric metric;
  private final VectorKernel kernel;
  private final int dimension;

  StoreScorer(VectorStore store, Metric metric, VectorKernel kernel) {
    this.store = store;
    this.metric = metric;
    this.kernel = kernel;
    this.dimension = store.dimension();
  }

  VectorStore store() {
    return store;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public long size() {
    return store.size();
  }

  @Override
  public void read(int node, float[] dst, int offset) {
    store.read(node, dst, offset);
  }

  @Override
  public float score(float[] query, int node, float[] scratch) {
    store.read(node, scratch, 0);
    return compare(query, 0, scratch, 0);
  }

  @Override
  public float compare(float[] a, int aOffset, float[] b, int bOffset) {
    return metric.score(kernel, a, aOffset, b, bOffset, dimension);
  }

  @Override
  public float distance(float score) {
    return metric.distance(score);
  }
}
