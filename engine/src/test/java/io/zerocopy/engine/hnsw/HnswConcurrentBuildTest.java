package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build on several threads: a new node can be linked into by another thread's new node before it
 * sets its own list (the race is real: the counter shows such links), and those links are kept;
 * recall on structured data is as good as a one-thread build's.
 */
class HnswConcurrentBuildTest {

  @TempDir Path dir;

  @Test
  void aMultiThreadedBuildKeepsBackLinksAndRecall() throws IOException {
    float[][] vectors = HnswTestData.gaussianMixture(10_000, 16, 40, 5);
    float[][] queries = HnswTestData.gaussianMixture(300, 16, 40, 6);
    Path file = dir.resolve("v.vec");
    VectorStore.create(file, vectors);
    try (VectorStore store = VectorStore.open(file)) {
      double one = recall(store, queries, 1);
      long before = GraphBuilder.KEPT_BACK_LINKS.get();
      double four = recall(store, queries, 4);
      long kept = GraphBuilder.KEPT_BACK_LINKS.get() - before;
      System.out.printf(
          "recall@10: 1 thread %.4f, 4 threads %.4f; back-links kept in the race: %d%n",
          one, four, kept);
      // builds differ by their insertion order: allow the noise of one build against another
      // (five 4-thread builds measured 0.929-0.943 against the 1-thread build's 0.940: a margin
      // of 0.01 failed one run in five)
      assertTrue(four >= one - 0.02, "4 threads " + four + " < 1 thread " + one);
    }
  }

  private static double recall(VectorStore store, float[][] queries, int threads) {
    try (HnswIndex index = new HnswIndex(store, 16, 100, Metric.L2)) {
      index.build(threads, 11);
      int hits = 0;
      for (float[] query : queries) {
        Set<Long> truth = new HashSet<>();
        for (Neighbor n : BruteForce.search(store, query, 10, Metric.L2, 1)) {
          truth.add(n.id());
        }
        List<Neighbor> found = index.search(query, 10, 100);
        for (Neighbor n : found) {
          hits += truth.contains(n.id()) ? 1 : 0;
        }
      }
      return hits / (10.0 * queries.length);
    }
  }
}
