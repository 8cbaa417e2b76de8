package io.zerocopy.engine.exact;

import io.zerocopy.engine.codes.QuantizedCodes;
import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.search.ParallelTasks;
import io.zerocopy.engine.search.TopK;
import io.zerocopy.engine.store.VectorStore;
import java.util.ArrayList;
import java.util.List;

/**
 * A scan of every vector's codes ({@link QuantizedCodes}: 8-bit, a quarter of the bytes of the
 * float32 file, or product quantization, a sixteenth) that keeps each query's best {@code rerank ×
 * k} candidates and re-scores them exactly from the float32 vectors. <b>Approximate:</b> a true
 * neighbour whose codes rank it below the {@code rerank × k} kept is missed, as no error bound
 * proves the codes' order; the distances reported are exact. Use {@link BruteForce} for exact
 * answers.
 */
public final class CodesScan {

  /** Vectors whose codes are copied and scored per step. */
  private static final int BLOCK_VECTORS = 256;

  private CodesScan() {}

  /**
   * For each query, the {@code k} nearest of the best {@code rerank × k} by their codes, with exact
   * distances, ascending (ties to the smaller id); result i belongs to query i.
   */
  public static List<List<Neighbor>> searchApproximately(
      VectorStore store,
      QuantizedCodes codes,
      float[][] queries,
      int k,
      Metric metric,
      int rerank,
      int threads) {
    if (store == null || codes == null || queries == null || metric == null) {
      throw new IllegalArgumentException("store, codes, queries and metric must not be null");
    }
    if (k <= 0 || rerank < 1 || threads < 1) {
      throw new IllegalArgumentException(
          "k, rerank and threads must be >= 1, got " + k + ", " + rerank + ", " + threads);
    }
    if (codes.size() != store.size() || codes.dimension() != store.dimension()) {
      throw new IllegalArgumentException(
          codes.path()
              + " codes "
              + codes.size()
              + " × "
              + codes.dimension()
              + " vectors, not "
              + store);
    }
    int d = store.dimension();
    long n = store.size();
    int keep = (int) Math.min(n, Math.min((long) rerank * k, Integer.MAX_VALUE));
    float[][] prepared = new float[queries.length][];
    for (int q = 0; q < queries.length; q++) {
      if (queries[q] == null || queries[q].length != d) {
        throw new IllegalArgumentException(
            "query " + q + " must have dimension " + d + " (" + store.path() + ")");
      }
      prepared[q] = codes.prepare(queries[q], metric, new float[codes.preparedLength()]);
    }
    VectorKernel kernel = VectorKernel.selected();
    int ranges = (int) Math.max(1, Math.min(threads, n / BLOCK_VECTORS));
    TopK[][] perRange = new TopK[ranges][];
    ParallelTasks.run(
        ranges,
        threads,
        range -> {
          long from = n * range / ranges;
          long to = n * (range + 1) / ranges;
          perRange[range] = scan(codes, prepared, metric, kernel, from, to, keep);
        });
    List<List<Neighbor>> results = new ArrayList<>(queries.length);
    for (int q = 0; q < queries.length; q++) {
      TopK candidates = perRange[0][q];
      for (int range = 1; range < ranges; range++) {
        candidates.addAll(perRange[range][q]);
      }
      TopK best = new TopK(k);
      for (Neighbor candidate : candidates.toSortedList()) {
        best.offer(
            candidate.id(), Distance.calculate(queries[q], store.get(candidate.id()), metric));
      }
      results.add(best.toSortedList());
    }
    return results;
  }

  private static TopK[] scan(
      QuantizedCodes codes,
      float[][] prepared,
      Metric metric,
      VectorKernel kernel,
      long from,
      long to,
      int keep) {
    int d = codes.codeBytes();
    TopK[] tops = new TopK[prepared.length];
    for (int q = 0; q < tops.length; q++) {
      tops[q] = new TopK(keep);
    }
    byte[] block = new byte[BLOCK_VECTORS * d];
    for (long start = from; start < to; start += BLOCK_VECTORS) {
      int count = (int) Math.min(BLOCK_VECTORS, to - start);
      for (int v = 0; v < count; v++) {
        codes.read(start + v, block, v * d);
      }
      for (int q = 0; q < prepared.length; q++) {
        // a call per block and query: the range's long loop would be compiled on stack
        // replacement, where inlined Vector API code runs far slower
        offerBlock(codes, prepared[q], metric, kernel, block, count, start, tops[q]);
      }
    }
    return tops;
  }

  private static void offerBlock(
      QuantizedCodes codes,
      float[] prepared,
      Metric metric,
      VectorKernel kernel,
      byte[] block,
      int count,
      long start,
      TopK top) {
    int d = codes.codeBytes();
    for (int v = 0; v < count; v++) {
      float score = codes.score(metric, prepared, block, v * d, kernel);
      if (score <= top.worstDistance()) {
        top.offer(start + v, score);
      }
    }
  }
}
