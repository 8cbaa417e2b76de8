package io.zerocopy.engine.exact;

import io.zerocopy.engine.distance.Cosine;
import io.zerocopy.engine.distance.MappedKernel;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.search.ParallelTasks;
import io.zerocopy.engine.search.TopK;
import io.zerocopy.engine.store.VectorStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Exact k-nearest-neighbour search: every vector of the store against every query. The store is
 * split into contiguous ranges, one per thread; each range is read block by block into a small
 * buffer that all queries of a query block are scored against, so the mapped file is read once per
 * query block. Results are ascending by distance, ties broken by the smaller id.
 */
public final class BruteForce {

  /** Floats per store block: 64 KiB, so a block stays in L1/L2 while the query block streams. */
  private static final int BLOCK_FLOATS = 1 << 14;

  /** At most this many vectors per store block: bounds the block of scores at low dimensions. */
  private static final int MAX_BLOCK_VECTORS = 1024;

  /**
   * From this many queries on, a query block runs as a matrix product (a kernel tile spans 16
   * queries on AVX-512); fewer score vector by vector.
   */
  private static final int MIN_MATRIX_QUERIES = 8;

  /**
   * Queries scored against one store block before the next block is read: as many as fit in 16 MiB
   * of floats (at least 256, at most 4,096), so a batch reads the store once or a few times.
   */
  private static int queryBlock(int dimension) {
    return Math.max(256, Math.min(4096, (1 << 22) / dimension));
  }

  /** Fewer vectors than this per thread are not worth a thread. */
  private static final long MIN_VECTORS_PER_THREAD = 1024;

  private BruteForce() {}

  /** The seed's {@code brute_force_search}, on all cores. */
  public static List<Neighbor> search(VectorStore store, float[] query, int k, Metric metric) {
    return search(store, query, k, metric, ParallelTasks.defaultThreads());
  }

  /** Exact search of one query on {@code threads} threads. */
  public static List<Neighbor> search(
      VectorStore store, float[] query, int k, Metric metric, int threads) {
    if (query == null) {
      throw new IllegalArgumentException("query must not be null");
    }
    return searchBatch(store, new float[][] {query}, k, metric, threads).get(0);
  }

  /** Exact search of many queries on all cores; result i belongs to query i. */
  public static List<List<Neighbor>> searchBatch(
      VectorStore store, float[][] queries, int k, Metric metric) {
    return searchBatch(store, queries, k, metric, ParallelTasks.defaultThreads());
  }

  /** Exact search of many queries on {@code threads} threads; result i belongs to query i. */
  public static List<List<Neighbor>> searchBatch(
      VectorStore store, float[][] queries, int k, Metric metric, int threads) {
    validate(store, queries, k, metric, threads);
    List<List<Neighbor>> results = new ArrayList<>(queries.length);
    if (store.size() == 0) {
      for (int q = 0; q < queries.length; q++) {
        results.add(List.of());
      }
      return results;
    }
    int keep = (int) Math.min(k, store.size());
    int ranges = (int) Math.max(1, Math.min(threads, store.size() / MIN_VECTORS_PER_THREAD));
    VectorKernel kernel = VectorKernel.selected();
    int queryBlock = queryBlock(store.dimension());
    for (int first = 0; first < queries.length; first += queryBlock) {
      int count = Math.min(queryBlock, queries.length - first);
      QueryBlock block = new QueryBlock(queries, first, count, metric, kernel);
      TopK[][] perRange = new TopK[ranges][];
      ParallelTasks.run(
          ranges,
          threads,
          range -> {
            long from = store.size() * range / ranges;
            long to = store.size() * (range + 1) / ranges;
            perRange[range] = block.scan(store, from, to, keep, kernel);
          });
      for (int q = 0; q < count; q++) {
        TopK merged = perRange[0][q];
        for (int range = 1; range < ranges; range++) {
          merged.addAll(perRange[range][q]);
        }
        results.add(finish(merged.toSortedList(), metric));
      }
    }
    return results;
  }

  /** Ranked by the metric's score; reports its distance (the square root, for L2). */
  private static List<Neighbor> finish(List<Neighbor> ranked, Metric metric) {
    List<Neighbor> out = new ArrayList<>(ranked.size());
    for (Neighbor n : ranked) {
      out.add(new Neighbor(n.id(), metric.distance(n.distance())));
    }
    return out;
  }

  /** The queries of one block, copied contiguously, with their norms for cosine. */
  private static final class QueryBlock {
    final int count;
    final int dimension;
    final float[] flat;
    final float[] squaredNorms;
    final Metric metric;

    QueryBlock(float[][] queries, int first, int count, Metric metric, VectorKernel kernel) {
      this.count = count;
      this.dimension = queries[first].length;
      this.metric = metric;
      this.flat = new float[count * dimension];
      this.squaredNorms = new float[count];
      for (int q = 0; q < count; q++) {
        System.arraycopy(queries[first + q], 0, flat, q * dimension, dimension);
        squaredNorms[q] = kernel.dot(flat, q * dimension, flat, q * dimension, dimension);
      }
    }

    TopK[] scan(VectorStore store, long from, long to, int keep, VectorKernel kernel) {
      TopK[] tops = new TopK[count];
      for (int q = 0; q < count; q++) {
        tops[q] = new TopK(keep);
      }
      MappedKernel inPlace = count == 1 ? MappedKernel.matching(kernel) : null;
      if (inPlace != null) {
        // one query reads each vector once: scoring it in the mapping saves the copy to the heap,
        // which a block of queries amortises but a single query pays in full
        scanInPlace(store, from, to, inPlace, tops[0]);
        return tops;
      }
      if (count >= MIN_MATRIX_QUERIES) {
        scanByMatrix(store, from, to, tops, kernel);
        return tops;
      }
      int vectorsPerBlock = Math.max(1, BLOCK_FLOATS / dimension);
      float[] block = new float[vectorsPerBlock * dimension];
      float[] norms = new float[vectorsPerBlock];
      float[] scores = new float[vectorsPerBlock];
      for (long start = from; start < to; start += vectorsPerBlock) {
        int n = (int) Math.min(vectorsPerBlock, to - start);
        store.readBlock(start, n, block, 0);
        if (metric.needsSquaredNorms()) {
          for (int v = 0; v < n; v++) {
            norms[v] = kernel.dot(block, v * dimension, block, v * dimension, dimension);
          }
        }
        for (int q = 0; q < count; q++) {
          metric.scoreBlock(
              kernel, flat, q * dimension, squaredNorms[q], block, n, dimension, norms, scores);
          TopK top = tops[q];
          for (int v = 0; v < n; v++) {
            if (scores[v] <= top.worstDistance()) {
              top.offer(start + v, scores[v]);
            }
          }
        }
      }
      return tops;
    }

    /**
     * Many queries: a matrix product of queries and stored vectors (the kernel's approximate dots,
     * many pairs per load) ranks each pair, and only a pair that an error bound cannot rule out is
     * scored again with the exact kernel: results are the exact kernels' results, the same as one
     * query at a time. The bound: the matrix product and the kernels' dot products and norms are
     * each within γ(d) of the true value per unit of |q|·|x| (or |q|² + |x|²), so an approximate
     * score exceeds the exact one by at most 2γ(|q| + |x|)² for L2, 2γ|q||x| for dot and 2γ (+ the
     * float rounding) for cosine; the slack below is twice that, and a pair whose approximate score
     * minus the slack is above the query's current k-th exact score cannot enter its top k. The
     * test runs on a panel of queries at once ({@link VectorKernel#firstNotBelow}), as a threshold
     * on the approximate dot product per query and vector. Norms that are zero, infinite or not a
     * number fail it: such pairs are always scored exactly.
     */
    private void scanByMatrix(
        VectorStore store, long from, long to, TopK[] tops, VectorKernel kernel) {
      MatrixScan scan = new MatrixScan(store, tops, kernel);
      for (long start = from; start < to; start += scan.perBlock) {
        // one call per block: the loop over blocks runs once per range and would otherwise be
        // compiled on stack replacement, where the Vector API code inlined in it runs far slower
        scan.block(start, (int) Math.min(scan.perBlock, to - start));
      }
    }

    /** One range's scan of this query block as a matrix product: its buffers and state. */
    private final class MatrixScan {
      final VectorStore store;
      final TopK[] tops;
      final VectorKernel kernel;
      final int perBlock;
      final float[] packed;
      final int stride;
      final float[] block;
      final float[] norms;
      final float[] dots;
      final double[] lengths = new double[count];
      final float[] worst = new float[count];
      final float[] base;
      final float[] slope;
      final double slack;
      final double cosineSlack;

      MatrixScan(VectorStore store, TopK[] tops, VectorKernel kernel) {
        this.store = store;
        this.tops = tops;
        this.kernel = kernel;
        int d = dimension;
        packed = kernel.packQueries(flat, count, d);
        stride = kernel.queryStride(count);
        // whole tiles of four vectors (see VectorKernel.approximateDots), and at most 2^20 scores
        int fit = Math.min(BLOCK_FLOATS / d, (1 << 20) / stride);
        perBlock = Math.min(MAX_BLOCK_VECTORS, Math.max(4, fit / 4 * 4));
        block = new float[perBlock * d];
        norms = new float[perBlock];
        dots = new float[perBlock * stride];
        double n = d + 4.0; // the subtraction and the last roundings count as terms
        double unit = 0x1p-24;
        double gamma = n * unit < 0.5 ? n * unit / (1 - n * unit) : Double.POSITIVE_INFINITY;
        slack = 4 * gamma + 16 * unit;
        cosineSlack = 4 * gamma + 24 * unit;
        // padding queries get an infinite threshold: never candidates
        base = new float[stride];
        slope = new float[stride];
        Arrays.fill(base, count, stride, Float.POSITIVE_INFINITY);
        for (int q = 0; q < count; q++) {
          lengths[q] = Math.sqrt(squaredNorms[q]);
          worst[q] = tops[q].worstDistance();
          setThreshold(q);
        }
      }

      void block(long start, int vectors) {
        int d = dimension;
        store.readBlock(start, vectors, block, 0);
        for (int v = 0; v < vectors; v++) {
          norms[v] = kernel.dot(block, v * d, block, v * d, d);
        }
        // a range's last block, short of a whole tile, is padded with zero vectors
        int tiled = (vectors + 3) / 4 * 4;
        Arrays.fill(block, vectors * d, tiled * d, 0f);
        kernel.approximateDots(packed, count, block, tiled, d, dots);
        for (int v = 0; v < vectors; v++) {
          float squaredNorm = norms[v];
          if (!(squaredNorm < Float.POSITIVE_INFINITY)) {
            // an infinite or NaN norm would make the thresholds NaN or infinite: score exactly
            for (int q = 0; q < count; q++) {
              rescore(q, v, start);
            }
            continue;
          }
          float length = (float) Math.sqrt(squaredNorm);
          float shift = metric == Metric.L2 ? (float) (squaredNorm * (1 - slack) / 2) : 0f;
          int at = v * stride;
          // panels of queries at once; only pairs the bound cannot rule out reach scalar code
          for (int q = kernel.firstNotBelow(dots, at, base, slope, shift, length, 0, stride);
              q < count;
              q = kernel.firstNotBelow(dots, at, base, slope, shift, length, q + 1, stride)) {
            rescore(q, v, start);
          }
        }
      }

      /**
       * Query {@code q}'s threshold on an approximate dot product with a vector of squared norm
       * {@code n} and length {@code l}: {@code base[q] + shift(n) + l * slope[q]}, below which the
       * pair's approximate score minus the slack is above the query's k-th exact score {@code w}.
       * L2 (score {@code n + |q|² − 2 dot}, slack {@code s (|q| + l)²}): {@code dot < n (1 − s) / 2
       * + (|q|² (1 − s) − w) / 2 − s |q| l}; dot product: {@code dot < −w − s |q| l}; cosine (score
       * {@code 1 − dot / (|q| l)}, slack {@code c}): {@code dot < (1 − c − w) |q| l}. The slacks
       * carry 16 units of rounding more than the bound needs, for the float thresholds; a query
       * whose norm is not finite, or any NaN, makes the pair fail the test, so it is scored
       * exactly.
       */
      private void setThreshold(int q) {
        double w = worst[q];
        double length = lengths[q];
        if (!(squaredNorms[q] < Float.POSITIVE_INFINITY)) {
          base[q] = Float.NEGATIVE_INFINITY;
          slope[q] = 0f;
          return;
        }
        switch (metric) {
          case L2 -> {
            base[q] = (float) ((squaredNorms[q] * (1 - slack) - w) / 2);
            slope[q] = (float) (-slack * length);
          }
          case DOT -> {
            base[q] = (float) -w;
            slope[q] = (float) (-slack * length);
          }
          case COSINE -> {
            base[q] = 0f;
            slope[q] = (float) ((1 - cosineSlack - w) * length);
          }
        }
      }

      /** Offers block vector {@code v}'s exact score to query {@code q}'s top k. */
      private void rescore(int q, int v, long start) {
        float score = exactScore(q, block, v, norms[v], kernel);
        if (score <= worst[q]) {
          tops[q].offer(start + v, score);
          worst[q] = tops[q].worstDistance();
          setThreshold(q);
        }
      }
    }

    /** Query {@code q}'s score of block vector {@code v}, exactly as {@link Metric#scoreBlock}. */
    private float exactScore(int q, float[] block, int v, float squaredNorm, VectorKernel kernel) {
      int d = dimension;
      return switch (metric) {
        case L2 -> kernel.squareDistance(flat, q * d, block, v * d, d);
        case DOT -> -kernel.dot(flat, q * d, block, v * d, d);
        case COSINE ->
            Cosine.fromParts(
                kernel.dot(flat, q * d, block, v * d, d), squaredNorms[q], squaredNorm);
      };
    }

    private void scanInPlace(
        VectorStore store, long from, long to, MappedKernel inPlace, TopK top) {
      float queryNorm = squaredNorms[0];
      ByteBuffer viewed = null;
      Object view = null;
      try {
        for (long id = from; id < to; id++) {
          ByteBuffer mapping = store.mappingOf(id);
          if (mapping != viewed) { // once per mapping: a store over 2 GiB has several
            view = inPlace.view(mapping);
            viewed = mapping;
          }
          int at = store.byteOffsetInMapping(id);
          float score =
              switch (metric) {
                case L2 -> inPlace.squareDistance(flat, 0, mapping, view, at, dimension);
                case DOT -> -inPlace.dot(flat, 0, mapping, view, at, dimension);
                case COSINE ->
                    inPlace.cosineDistance(flat, 0, queryNorm, mapping, view, at, dimension);
              };
          if (score <= top.worstDistance()) {
            top.offer(id, score);
          }
        }
      } catch (InternalError e) {
        throw store.mappingFault(e);
      }
    }
  }

  private static void validate(
      VectorStore store, float[][] queries, int k, Metric metric, int threads) {
    if (store == null || queries == null || metric == null) {
      throw new IllegalArgumentException("store, queries and metric must not be null");
    }
    if (k <= 0) {
      throw new IllegalArgumentException("k must be > 0, got " + k);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    for (int q = 0; q < queries.length; q++) {
      float[] query = queries[q];
      if (query == null) {
        throw new IllegalArgumentException("query " + q + " is null");
      }
      if (query.length != store.dimension()) {
        throw new IllegalArgumentException(
            "query "
                + q
                + " has dimension "
                + query.length
                + ", but "
                + store.path()
                + " has dimension "
                + store.dimension());
      }
      for (int i = 0; i < query.length; i++) {
        if (!Float.isFinite(query[i])) {
          throw new IllegalArgumentException(
              "query " + q + " has a non-finite value " + query[i] + " at index " + i);
        }
      }
    }
  }
}
