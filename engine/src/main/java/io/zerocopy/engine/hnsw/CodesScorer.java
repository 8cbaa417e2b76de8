package io.zerocopy.engine.hnsw;

import io.zerocopy.engine.codes.Int8Codes;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;

/**
 * Scores graph visits on 8-bit codes ({@link Int8Codes}): a quarter of the bytes of a float32
 * vector per visited node. Its scores are approximate, so results are re-scored exactly from the
 * float32 vectors before they are reported ({@link #exactDistance}, through {@code floats}).
 */
final class CodesScorer implements VectorScorer {

  private final Int8Codes codes;
  private final StoreScorer floats;
  private final Metric metric;
  private final VectorKernel kernel;
  private final int dimension;

  /** One thread's copy of the codes of a neighbour list: nothing is allocated per visit. */
  private final ThreadLocal<byte[]> blocks;

  CodesScorer(Int8Codes codes, StoreScorer floats, Metric metric, VectorKernel kernel, int m) {
    this.codes = codes;
    this.floats = floats;
    this.metric = metric;
    this.kernel = kernel;
    this.dimension = codes.dimension();
    int capacity = (2 * m + 1) * dimension;
    this.blocks = ThreadLocal.withInitial(() -> new byte[capacity]);
  }

  Int8Codes codes() {
    return codes;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public long size() {
    return codes.size();
  }

  @Override
  public void read(int node, float[] dst, int offset) {
    floats.read(node, dst, offset);
  }

  /** The prepared query holds one float more than a vector: see {@link Int8Codes#prepare}. */
  @Override
  public float[] prepare(float[] query, float[] buffer) {
    return codes.prepare(query, metric, new float[dimension + 1]);
  }

  @Override
  public float score(float[] query, int node, float[] scratch) {
    byte[] block = blocks.get();
    codes.read(node, block, 0);
    return codes.score(metric, query, block, 0, kernel);
  }

  @Override
  public void scoreAll(float[] query, int[] nodes, int count, float[] scores, float[] unused) {
    byte[] block = blocks.get();
    // all codes first, then all scores: the memory system fetches several lists' codes at once
    for (int i = 0; i < count; i++) {
      codes.read(nodes[i], block, i * dimension);
    }
    codes.scoreAll(metric, query, block, count, scores, kernel);
  }

  @Override
  public boolean scoresAreExact() {
    return false;
  }

  @Override
  public float exactDistance(float[] query, int node, float[] scratch) {
    return floats.exactDistance(query, node, scratch);
  }

  @Override
  public float compare(float[] a, int aOffset, float[] b, int bOffset) {
    return floats.compare(a, aOffset, b, bOffset);
  }

  @Override
  public float distance(float score) {
    return floats.distance(score);
  }
}
