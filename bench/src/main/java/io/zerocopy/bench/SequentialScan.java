package io.zerocopy.bench;

import io.zerocopy.engine.search.ParallelTasks;
import io.zerocopy.engine.store.VectorStore;

/**
 * The bandwidth ceiling for exact search: reads every float of a mapped store exactly as {@code
 * BruteForce} does — the same contiguous range per thread, the same 64 Ki-float blocks copied out
 * of the mapping with {@link VectorStore#readBlock} — but computes almost nothing.
 */
final class SequentialScan {

  /** Same block size as {@code BruteForce}: 256 KiB of floats. */
  static final int BLOCK_FLOATS = 1 << 16;

  private static final long MIN_VECTORS_PER_THREAD = 1024;

  private SequentialScan() {}

  /** Reads the whole store on {@code threads} threads; returns a value so nothing is elided. */
  static double scan(VectorStore store, int threads) {
    long size = store.size();
    int dimension = store.dimension();
    int ranges = (int) Math.max(1, Math.min(threads, size / MIN_VECTORS_PER_THREAD));
    double[] partial = new double[ranges];
    ParallelTasks.run(
        ranges,
        threads,
        range -> {
          long from = size * range / ranges;
          long to = size * (range + 1) / ranges;
          int perBlock = Math.max(1, BLOCK_FLOATS / dimension);
          float[] block = new float[perBlock * dimension];
          double sum = 0;
          for (long start = from; start < to; start += perBlock) {
            int n = (int) Math.min(perBlock, to - start);
            store.readBlock(start, n, block, 0);
            sum += block[0] + block[n * dimension - 1];
          }
          partial[range] = sum;
        });
    double total = 0;
    for (double p : partial) {
      total += p;
    }
    return total;
  }
}
