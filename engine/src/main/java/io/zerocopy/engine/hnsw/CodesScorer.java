package io.zerocopy.engine.hnsw;

import io.zerocopy.engine.codes.ErrorBounds;
import io.zerocopy.engine.codes.QuantizedCodes;
import io.zerocopy.engine.distance.MappedKernel;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;

/**
 * Scores graph visits on codes ({@link QuantizedCodes}: 8-bit, a quarter of the bytes of a float32
 * vector per visited node, or product quantization, a sixteenth). Its scores are approximate, so
 * results are re-scored exactly from the float32 vectors before they are reported ({@link
 * #exactDistance}, through {@code floats}). A walk's int8 codes are scored where they are mapped,
 * four rows at a time, where that measured faster than copying them ({@link
 * MappedKernel#readsInt8Codes}: JDK 22+); elsewhere they are copied into a block first.
 */
final class CodesScorer implements VectorScorer {

  private final QuantizedCodes codes;
  private final StoreScorer floats;
  private final Metric metric;
  private final VectorKernel kernel;
  private final int dimension;
  private final int codeBytes;

  /** Reads codes in place where it can ({@link QuantizedCodes#scoreInPlace}), or null. */
  private final MappedKernel inPlace;

  /** One thread's copy of the codes of a neighbour list: nothing is allocated per visit. */
  private final ThreadLocal<byte[]> blocks;

  /** One thread's prepared query (a pq table is 1 KiB per sub-space): none allocated per search. */
  private final ThreadLocal<float[]> prepared;

  CodesScorer(QuantizedCodes codes, StoreScorer floats, Metric metric, VectorKernel kernel, int m) {
    this.codes = codes;
    this.floats = floats;
    this.metric = metric;
    this.kernel = kernel;
    this.dimension = codes.dimension();
    this.codeBytes = codes.codeBytes();
    this.inPlace = MappedKernel.matching(kernel);
    int capacity = (2 * m + 1) * codeBytes;
    this.blocks = ThreadLocal.withInitial(() -> new byte[capacity]);
    this.prepared = ThreadLocal.withInitial(() -> new float[codes.preparedLength()]);
  }

  QuantizedCodes codes() {
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

  /** The prepared query has its own length ({@link QuantizedCodes#preparedLength}). */
  @Override
  public float[] prepare(float[] query, float[] buffer) {
    // a search uses its prepared query to its end, and a thread runs one search at a time
    return codes.prepare(query, metric, prepared.get());
  }

  @Override
  public float score(float[] query, int node, float[] scratch) {
    byte[] block = blocks.get();
    codes.read(node, block, 0);
    return codes.score(metric, query, block, 0, kernel);
  }

  @Override
  public int touch(int[] nodes, int count) {
    return codes.touch(nodes, count);
  }

  @Override
  public void scoreAll(float[] query, int[] nodes, int count, float[] scores, float[] unused) {
    if (inPlace != null && codes.scoreInPlace(metric, query, nodes, count, scores, inPlace)) {
      return;
    }
    byte[] block = blocks.get();
    // all codes first, then all scores: the memory system fetches several lists' codes at once
    for (int i = 0; i < count; i++) {
      codes.read(nodes[i], block, i * codeBytes);
    }
    codes.scoreAll(metric, query, block, count, scores, kernel);
  }

  /** The query's length, which scales the rounding of L2 scores ({@link #lowerBound}). */
  double queryNorm(float[] query) {
    return ErrorBounds.queryNorm(query);
  }

  /**
   * A lower bound of the exact distance (as reported) of {@code node}, whose codes scored {@code
   * score} against the query ({@link ErrorBounds#lower}); -∞ when there is none.
   */
  float lowerBound(float score, int node, double queryNorm) {
    return ErrorBounds.lower(metric, score, codes.errorBound(node), queryNorm, dimension);
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
