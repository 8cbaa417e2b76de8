package io.zerocopy.bench;

import io.zerocopy.datasets.Ivecs;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks that the two sides of the batch comparison answer the same question: runs our batch search
 * for the queries numpy answered and prints, as JSON, the fraction of numpy's top-k ids that ours
 * also returns (ties and float rounding can swap the last places).
 *
 * <p>Usage: {@code BatchAgreement TRAIN.vec TEST.vec numpy-ids.ivecs THREADS}
 */
public final class BatchAgreement {

  private BatchAgreement() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      System.err.println("usage: BatchAgreement TRAIN.vec TEST.vec numpy-ids.ivecs THREADS");
      System.exit(2);
    }
    Path train = Paths.get(args[0]);
    int[][] theirs = Ivecs.read(Paths.get(args[2]));
    int threads = Integer.parseInt(args[3]);
    float[][] queries = FirstQueries.read(Paths.get(args[1]), theirs.length);
    int k = theirs[0].length;
    long same = 0;
    try (VectorStore store = VectorStore.open(train)) {
      List<List<Neighbor>> ours = BruteForce.searchBatch(store, queries, k, Metric.L2, threads);
      for (int q = 0; q < queries.length; q++) {
        Set<Long> ids = new HashSet<>();
        for (Neighbor n : ours.get(q)) {
          ids.add(n.id());
        }
        for (int id : theirs[q]) {
          same += ids.contains((long) id) ? 1 : 0;
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "{\"queries\": %d, \"k\": %d, \"agreement\": %.6f}%n",
        queries.length,
        k,
        same / (double) (queries.length * (long) k));
  }
}
