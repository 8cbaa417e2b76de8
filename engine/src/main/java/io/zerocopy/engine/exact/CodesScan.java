package io.zerocopy.engine.exact;

import io.zerocopy.engine.codes.ErrorBounds;
import io.zerocopy.engine.codes.QuantizedCodes;
import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.search.ParallelTasks;
import io.zerocopy.engine.search.TopK;
import io.zerocopy.engine.store.VectorStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scans of every vector's codes ({@link QuantizedCodes}: 8-bit, a quarter of the bytes of the
 * float32 file, or product quantization, a sixteenth) that re-score a few candidates exactly from
 * the float32 vectors. {@link #search} is exact: the codes' error bounds prove which vectors can be
 * among the k nearest. {@link #searchApproximately} keeps each query's best {@code rerank × k} by
 * their codes and is <b>approximate</b>: a true neighbour whose codes rank it below those is
 * missed. Both report exact distances.
 */
public final class CodesScan {

  /** Vectors whose codes are copied and scored per step. */
  private static final int BLOCK_VECTORS = 256;

  private CodesScan() {}

  /**
   * For each query, its exact {@code k} nearest neighbours, ascending (ties to the smaller id), the
   * same as {@link BruteForce}'s, from a scan of the codes: each vector's codes and error bound
   * bound its exact distance ({@link ErrorBounds}), and only the vectors whose lower bound is not
   * above the k-th smallest upper bound are candidates. Those are re-scored from the float32
   * vectors in the order of their lower bounds until the next is above the k-th exact distance.
   * Reads the codes (a quarter of the float32 bytes for 8-bit codes) and a few float32 vectors per
   * query. Result i belongs to query i.
   *
   * @throws IllegalArgumentException if the codes keep no error bounds (pq codes, a version 1
   *     {@code .i8} file) or {@code metric} is dot, which they cannot bound: use {@link BruteForce}
   */
  public static List<List<Neighbor>> search(
      VectorStore store,
      QuantizedCodes codes,
      float[][] queries,
      int k,
      Metric metric,
      int threads) {
    if (k <= 0 || threads < 1) {
      // named here: search takes no rerank, which prepare's message names
      throw new IllegalArgumentException("k and threads must be >= 1, got " + k + ", " + threads);
    }
    float[][] prepared = prepare(store, codes, queries, k, metric, 1, threads);
    if (!codes.keepsErrorBounds() || !ErrorBounds.bounds(metric)) {
      throw new IllegalArgumentException(
          codes.path()
              + ": an exact search on codes needs their error bounds, and "
              + (ErrorBounds.bounds(metric)
                  ? codes.kind().id()
                      + " codes of this file keep none (8-bit codes of version 2 do)"
                  : "the dot metric has none")
              + ": use BruteForce, or searchApproximately");
    }
    long n = store.size();
    double[] norms = new double[queries.length];
    for (int q = 0; q < queries.length; q++) {
      norms[q] = ErrorBounds.queryNorm(queries[q]);
    }
    VectorKernel kernel = VectorKernel.selected();
    int ranges = (int) Math.max(1, Math.min(threads, n / BLOCK_VECTORS));
    Bounded[][] perRange = new Bounded[ranges][];
    ParallelTasks.run(
        ranges,
        threads,
        range -> {
          long from = n * range / ranges;
          long to = n * (range + 1) / ranges;
          Bounded[] found = new Bounded[queries.length];
          for (int q = 0; q < found.length; q++) {
            found[q] = new Bounded(k);
          }
          forEachBlock(
              codes,
              from,
              to,
              (block, count, start) -> {
                for (int q = 0; q < found.length; q++) {
                  found[q].offerBlock(
                      codes, prepared[q], norms[q], metric, kernel, block, count, start);
                }
              });
          perRange[range] = found;
        });
    List<List<Neighbor>> results = new ArrayList<>(queries.length);
    for (int q = 0; q < queries.length; q++) {
      results.add(null);
    }
    ParallelTasks.run(
        queries.length,
        threads,
        q -> {
          Bounded all = perRange[0][q];
          for (int range = 1; range < ranges; range++) {
            all.addAll(perRange[range][q]);
          }
          results.set(q, all.rerank(store, queries[q], metric));
        });
    return results;
  }

  /**
   * One query's candidates of a scan: the k smallest upper bounds, whose worst is the threshold,
   * and every vector whose lower bound is not above the threshold when scanned (pruned as it
   * falls).
   */
  private static final class Bounded {
    private final TopK uppers;
    private long[] ids = new long[64];
    private float[] lowers = new float[64];
    private int size;
    private int pruneAt = 64;

    Bounded(int k) {
      uppers = new TopK(k);
    }

    float threshold() {
      return uppers.isFull() ? uppers.worstDistance() : Float.POSITIVE_INFINITY;
    }

    void offerBlock(
        QuantizedCodes codes,
        float[] prepared,
        double queryNorm,
        Metric metric,
        VectorKernel kernel,
        byte[] block,
        int count,
        long start) {
      int d = codes.codeBytes();
      int dimension = codes.dimension();
      float threshold = threshold();
      for (int v = 0; v < count; v++) {
        float score = codes.score(metric, prepared, block, v * d, kernel);
        float bound = codes.errorBound(start + v);
        float lower = ErrorBounds.lower(metric, score, bound, queryNorm, dimension);
        if (lower > threshold) {
          continue; // its upper bound is too: neither a candidate nor a threshold
        }
        add(start + v, lower);
        if (uppers.offer(
            start + v, ErrorBounds.upper(metric, score, bound, queryNorm, dimension))) {
          threshold = threshold();
        }
      }
    }

    private void add(long id, float lower) {
      if (size == pruneAt) {
        prune();
        if (size > pruneAt / 2) {
          pruneAt *= 2;
        }
        if (pruneAt > ids.length) {
          ids = Arrays.copyOf(ids, pruneAt);
          lowers = Arrays.copyOf(lowers, pruneAt);
        }
      }
      ids[size] = id;
      lowers[size++] = lower;
    }

    /** Drops the candidates whose lower bound is above the threshold now. */
    private void prune() {
      float threshold = threshold();
      int kept = 0;
      for (int i = 0; i < size; i++) {
        if (lowers[i] <= threshold) {
          ids[kept] = ids[i];
          lowers[kept++] = lowers[i];
        }
      }
      size = kept;
    }

    void addAll(Bounded other) {
      uppers.addAll(other.uppers);
      for (int i = 0; i < other.size; i++) {
        add(other.ids[i], other.lowers[i]);
      }
    }

    /** The k nearest candidates by exact distance, re-scored in the order of lower bounds. */
    List<Neighbor> rerank(VectorStore store, float[] query, Metric metric) {
      prune();
      Integer[] order = new Integer[size];
      for (int i = 0; i < size; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Float.compare(lowers[a], lowers[b]));
      TopK best = new TopK(uppers.k());
      float[] vector = new float[store.dimension()];
      for (int i : order) {
        if (best.isFull() && lowers[i] > best.worstDistance()) {
          break; // every candidate left is further than the k-th
        }
        store.read(ids[i], vector, 0);
        best.offer(ids[i], Distance.calculate(query, vector, metric));
      }
      return best.toSortedList();
    }
  }

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
    float[][] prepared = prepare(store, codes, queries, k, metric, rerank, threads);
    long n = store.size();
    int keep = (int) Math.min(n, Math.min((long) rerank * k, Integer.MAX_VALUE));
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

  /** Checks the arguments; returns each query prepared for the codes. */
  private static float[][] prepare(
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
    float[][] prepared = new float[queries.length][];
    for (int q = 0; q < queries.length; q++) {
      if (queries[q] == null || queries[q].length != d) {
        throw new IllegalArgumentException(
            "query " + q + " must have dimension " + d + " (" + store.path() + ")");
      }
      prepared[q] = codes.prepare(queries[q], metric, new float[codes.preparedLength()]);
    }
    return prepared;
  }

  private static TopK[] scan(
      QuantizedCodes codes,
      float[][] prepared,
      Metric metric,
      VectorKernel kernel,
      long from,
      long to,
      int keep) {
    TopK[] tops = new TopK[prepared.length];
    for (int q = 0; q < tops.length; q++) {
      tops[q] = new TopK(keep);
    }
    forEachBlock(
        codes,
        from,
        to,
        (block, count, start) -> {
          for (int q = 0; q < prepared.length; q++) {
            offerBlock(codes, prepared[q], metric, kernel, block, count, start, tops[q]);
          }
        });
    return tops;
  }

  /** What a scan does with each block of {@code count} rows of codes, the first {@code start}. */
  private interface BlockConsumer {
    void accept(byte[] block, int count, long start);
  }

  /**
   * Copies the codes of vectors {@code [from, to)} block by block and hands each block to {@code
   * consumer}: a call per block, as the range's long loop would be compiled on stack replacement,
   * where inlined Vector API code runs far slower.
   */
  private static void forEachBlock(
      QuantizedCodes codes, long from, long to, BlockConsumer consumer) {
    int d = codes.codeBytes();
    byte[] block = new byte[BLOCK_VECTORS * d];
    for (long start = from; start < to; start += BLOCK_VECTORS) {
      int count = (int) Math.min(BLOCK_VECTORS, to - start);
      for (int v = 0; v < count; v++) {
        codes.read(start + v, block, v * d);
      }
      consumer.accept(block, count, start);
    }
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
