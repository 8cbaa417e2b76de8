package io.zerocopy.engine.hnsw;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.store.VectorStore;

/**
 * Scores through a mapped {@link VectorStore}: the node's vector is copied into a thread's scratch
 * array, then the selected SIMD kernel runs on heap arrays; the metric says how to rank and report.
 * Cosine ranks a query scaled to unit length ({@link VectorKernel#cosineDistanceToUnit}: two sums
 * per element, not three), so its scores are re-scored exactly before they are reported.
 */
final class StoreScorer implements VectorScorer {

  private final VectorStore store;
  private final Metric metric;
  private final VectorKernel kernel;
  private final int dimension;
  private final boolean unitCosine;

  StoreScorer(VectorStore store, Metric metric, VectorKernel kernel) {
    this.store = store;
    this.metric = metric;
    this.kernel = kernel;
    this.dimension = store.dimension();
    this.unitCosine = metric == Metric.COSINE;
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
  public float[] prepare(float[] query, float[] buffer) {
    if (!unitCosine) {
      return query;
    }
    float squaredNorm = kernel.dot(query, 0, query, 0, dimension);
    // a zero query stays zero: at distance 1 from everything, as cosineDistance has it
    float scale = squaredNorm > 0f ? (float) (1.0 / Math.sqrt(squaredNorm)) : 0f;
    for (int i = 0; i < dimension; i++) {
      buffer[i] = query[i] * scale;
    }
    return buffer;
  }

  @Override
  public float score(float[] query, int node, float[] scratch) {
    store.read(node, scratch, 0);
    return unitCosine
        ? kernel.cosineDistanceToUnit(query, 0, scratch, 0, dimension)
        : compare(query, 0, scratch, 0);
  }

  @Override
  public int touch(int[] nodes, int count) {
    return store.touch(nodes, count);
  }

  @Override
  public void scoreAll(float[] query, int[] nodes, int count, float[] scores, float[] block) {
    for (int i = 0; i < count; i++) {
      store.read(nodes[i], block, i * dimension);
    }
    if (unitCosine) {
      for (int i = 0; i < count; i++) {
        scores[i] = kernel.cosineDistanceToUnit(query, 0, block, i * dimension, dimension);
      }
    } else {
      // the bulk kernels share each load of the query between two vectors, with the single-pair
      // kernels' results
      metric.scoreBlock(kernel, query, 0, 0f, block, count, dimension, null, scores);
    }
  }

  @Override
  public boolean scoresAreExact() {
    return !unitCosine;
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
