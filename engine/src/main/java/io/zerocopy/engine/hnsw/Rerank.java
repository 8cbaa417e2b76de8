package io.zerocopy.engine.hnsw;

import io.zerocopy.engine.search.Neighbor;
import java.util.Arrays;

/**
 * Re-ranks a walk's best candidates on codes by their float32 vectors in the order of a lower bound
 * of each one's exact distance (its codes' distance less their error bound, {@link
 * io.zerocopy.engine.codes.QuantizedCodes#errorBound}), and stops once the next bound is above the
 * k-th exact distance found: no candidate left can enter the results, so they are those of
 * re-ranking every candidate, from fewer float32 reads (8-bit codes: about 10 of 50 on
 * Fashion-MNIST and the MiniLM sentences). Beyond the page cache each read is a page fault.
 */
final class Rerank {

  /**
   * Candidates touched together after those always read: few, as the last of a batch may be one
   * that need not be read, which costs a page fault beyond the page cache.
   */
  static final int BATCH = 4;

  private Rerank() {}

  /** What a re-ranking reads. */
  interface Reader {

    /** Starts loading the vectors of {@code nodes[0, count)} (see {@link VectorScorer#touch}). */
    int touch(int[] nodes, int count);

    /** The exact distance of {@code node} to the query. */
    float exactDistance(int node);
  }

  /**
   * The best {@code k} of {@code count} candidates by exact distance, in {@link Neighbor#ORDER}.
   * {@code byBound[0, count)} holds each candidate as {@code LongHeap.encode(lowerBound, node)} and
   * is sorted here; {@code nodes} is scratch of at least {@code count}. Counts the vectors read in
   * {@code context.reranked}.
   */
  static Neighbor[] best(
      long[] byBound, int count, int k, int[] nodes, Reader reader, SearchContext context) {
    Arrays.sort(byBound, 0, count);
    if (k <= 0 || count == 0) {
      return new Neighbor[0];
    }
    Neighbor[] best = new Neighbor[Math.min(k, count)];
    // the first k, and every candidate without a bound (pq codes, dot, version 1 files), are read
    // whatever the others' distances: their loads all start together, as without bounds
    int mustRead = best.length;
    while (mustRead < count && LongHeap.score(byBound[mustRead]) == Float.NEGATIVE_INFINITY) {
      mustRead++;
    }
    int kept = 0;
    int read = 0;
    int touched = 0;
    int i = 0;
    while (i < count) {
      if (kept == best.length && LongHeap.score(byBound[i]) > best[kept - 1].distance()) {
        break; // every candidate left is further than the k-th
      }
      int batch = Math.min(count - i, i < mustRead ? mustRead - i : BATCH);
      for (int j = 0; j < batch; j++) {
        nodes[j] = LongHeap.node(byBound[i + j]);
      }
      touched += reader.touch(nodes, batch);
      for (int j = 0; j < batch; j++, i++) {
        if (kept == best.length && LongHeap.score(byBound[i]) > best[kept - 1].distance()) {
          break;
        }
        int node = nodes[j];
        Neighbor candidate = new Neighbor(node, reader.exactDistance(node));
        read++;
        if (kept < best.length) {
          kept++;
        } else if (Neighbor.ORDER.compare(candidate, best[kept - 1]) >= 0) {
          continue;
        }
        // insert in order, dropping the k-th when full
        int at = kept - 1;
        while (at > 0 && Neighbor.ORDER.compare(candidate, best[at - 1]) < 0) {
          best[at] = best[at - 1];
          at--;
        }
        best[at] = candidate;
      }
    }
    context.reranked += read;
    context.touched += touched;
    return best;
  }
}
